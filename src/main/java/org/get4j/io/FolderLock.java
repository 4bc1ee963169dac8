package org.get4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.get4j.Get4jException;

/**
 * One writer per folder: a pair store or a training run is written by one process at a time (issue 18: two
 * {@code pairs generate} into one folder both did all the work). The lock is the operating system's lock on
 * {@code FOLDER/.lock}, so it goes away with the process however that ends (kill -9 included); the file holds the
 * writer's process id and start time only to name it in the refusal.
 *
 * <p>Within one process the folders held are also kept in a set, checked before the file is touched: on Linux the
 * lock is a POSIX record lock, which any close of the file by the same process would silently drop.
 */
public final class FolderLock implements AutoCloseable {
    public static final String FILE = ".lock";
    private static final Set<Path> HELD = new HashSet<>();
    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the folder's lock, or refuses naming the process that holds it; {@code what} says what is written. */
    public static FolderLock acquire(Path dir, String what) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.contains(key)) {
                throw refusal(dir, what, "process " + ProcessHandle.current().pid() + ", this one");
            }
            FolderLock taken = lockFile(dir, what);
            HELD.add(key);
            return taken;
        }
    }

    /** Refuses now, as {@link #acquire} would, when another writer holds the folder; a front end's early check. */
    public static void requireFree(Path dir, String what) {
        if (Files.isDirectory(dir)) {
            acquire(dir, what).close();
        }
    }

    private static FolderLock lockFile(Path dir, String what) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                ByteBuffer held = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
                channel.read(held, 0); // through this channel: reading the file anew would be a second descriptor
                channel.close();
                String holder = new String(held.array(), 0, held.position(), StandardCharsets.UTF_8).strip();
                throw refusal(dir, what, holder.isEmpty() ? "process unknown" : holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("process " + ProcessHandle.current().pid() + ", since " + Instant.now())
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new FolderLock(dir, channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static Get4jException refusal(Path dir, String what, String holder) {
        return new Get4jException(dir + " is being written by another " + what + " (" + holder + "): wait for it "
                + "to finish or stop it, or choose another folder");
    }

    @Override
    public void close() {
        synchronized (HELD) {
            HELD.remove(dir.toAbsolutePath().normalize());
            try {
                channel.truncate(0); // an empty file: nobody writes here
            } catch (IOException e) {
                // the lock goes with the channel below; a stale process id in the file names nobody
            } finally {
                try {
                    lock.release();
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot release " + dir.resolve(FILE) + ": " + e.getMessage(), e);
                }
            }
        }
    }
}
