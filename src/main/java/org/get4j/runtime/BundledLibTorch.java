package org.get4j.runtime;

import ai.djl.util.Utils;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import org.get4j.Get4jException;

/**
 * The libtorch build on the classpath ({@code native/lib/pytorch.properties} of the native jar): its version, its
 * flavor ({@code cpu}, {@code cu124}) and its libraries.
 *
 * <p>A CUDA build on a machine without a GPU: DJL only takes a bundled CUDA libtorch when it finds a GPU, and
 * otherwise tries to download a CPU libtorch, which offline mode refuses. A CUDA libtorch runs on the CPU just as
 * well, so {@link #useOnAnyMachine()} extracts it from the jar into DJL's cache folder itself and points DJL there
 * ({@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_FLAVOR}). With a GPU, DJL's own path is left alone.
 */
public record BundledLibTorch(String version, String flavor, String classifier, String[] libraries) {
    private static final String PROPERTIES = "native/lib/pytorch.properties";

    /** The bundled build, or null when no native jar is on the classpath (DJL would then download one). */
    public static BundledLibTorch find() {
        URL url = BundledLibTorch.class.getClassLoader().getResource(PROPERTIES);
        if (url == null) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = url.openStream()) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url + ": " + e.getMessage(), e);
        }
        return new BundledLibTorch(p.getProperty("version", "unknown"), p.getProperty("flavor", "unknown"),
                p.getProperty("classifier", "unknown"), p.getProperty("libraries", "").split(","));
    }

    public boolean isCuda() {
        return flavor.startsWith("cu");
    }

    /** "CUDA 12.4" for cu124, "CPU" for cpu. */
    public String describe() {
        return isCuda() && flavor.length() >= 5 ? "CUDA " + flavor.substring(2, 4) + "." + flavor.substring(4, 5)
                : flavor.toUpperCase();
    }

    /** Makes a CUDA build start on a machine without a GPU (see the class comment); does nothing otherwise. */
    static void useOnAnyMachine() {
        BundledLibTorch lib = find();
        if (lib == null || !lib.isCuda() || Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH") != null
                || CudaUtils.getGpuCount() > 0) {
            return;
        }
        // A folder of its own: DJL's (without the suffix) must stay complete for the day this machine has a GPU.
        Path dir = Utils.getEngineCacheDir("pytorch").resolve(lib.version + "-" + lib.flavor + "-" + lib.classifier
                + "-without-gpu");
        for (String name : lib.libraries) {
            // libcaffe2_nvrtc is the one library linked against the GPU driver (libcuda.so.1), absent here; libtorch
            // opens it only to compile GPU kernels, and DJL loads every library it finds in the folder
            if (!name.strip().equals(System.mapLibraryName("caffe2_nvrtc"))) {
                lib.extract(name.strip(), dir);
            }
        }
        System.setProperty("PYTORCH_LIBRARY_PATH", dir.toString());
        System.setProperty("PYTORCH_FLAVOR", lib.flavor);
        // DJL still logs that its own path would not take the bundled library: handled here, so not a warning
        if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl.util.Platform") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.Platform", "error");
        }
    }

    private void extract(String name, Path dir) {
        Path target = dir.resolve(name);
        String resource = "pytorch/" + flavor + "/" + classifier + "/" + name;
        try (InputStream in = BundledLibTorch.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new Get4jException("the " + flavor + " libtorch jar lists " + name + " but does not hold "
                        + resource + ": the native jar is damaged; rebuild (mvn -Pcuda package)");
            }
            if (Files.isRegularFile(target)) {
                return; // extracted by an earlier start (same version and flavor: the folder name says so)
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp"); // a killed start leaves no half library
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to " + dir + ": " + e.getMessage(), e);
        }
    }
}
