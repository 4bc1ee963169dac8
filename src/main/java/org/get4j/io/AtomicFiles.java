package org.get4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes that are all or nothing: content goes to a temporary file beside the target, which is renamed over the
 * target only once it is complete. A crash or an exception leaves the old file (or no file), never a partial one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Produces a file's content into the stream it is given. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} atomically through {@code writer}. */
    public static void write(Path target, Writer writer) throws IOException {
        Path tmp = temporarySibling(target);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
            commit(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    /** A fresh temporary path in the target's folder (same file system, so the rename is atomic). */
    public static Path temporarySibling(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        } catch (FileSystemException e) { // name the file asked for, not the temporary one
            String reason = e instanceof AccessDeniedException ? "permission denied"
                    : e.getReason() != null ? e.getReason() : "cannot create a file in " + dir;
            throw new FileSystemException(target.toString(), null, "cannot write here: " + reason);
        }
        try {
            // createTempFile makes owner-only files; a finished artefact is as readable as any other file.
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
        return tmp;
    }

    /** Renames a finished temporary file over the target. */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
