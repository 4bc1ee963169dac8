package org.get4j.notebook;

/**
 * Settings every notebook reads. {@code GET4J_QUICK=1} shrinks the work (CI runs all notebooks this way);
 * unset, a notebook runs its full-size experiment.
 */
public final class Notebooks {
    private Notebooks() {}

    /** True in quick mode ({@code GET4J_QUICK} set to anything but empty, 0 or false). */
    public static boolean quick() {
        String v = System.getenv("GET4J_QUICK");
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** {@code quick} in quick mode, else {@code full}: the one-line way a notebook sizes its work. */
    public static int size(int quick, int full) {
        return quick() ? quick : full;
    }

    /** A line saying which mode runs, for the top of every notebook. */
    public static String modeLine() {
        String mode = quick() ? "Quick mode (GET4J_QUICK=1): small sizes, for CI; numbers are not meaningful."
                : "Full mode: the real experiment at CPU scale.";
        return otherRepository(org.get4j.data.DataHome.resolve(), java.nio.file.Path.of("").toAbsolutePath())
                .map(warning -> mode + "\n" + warning).orElse(mode);
    }

    /**
     * A warning when a notebook opened in one clone's notebooks/ runs on a kernel that reads another clone's data (the
     * kernel is registered by the last clone where environment/setup ran): its runs, shipped results and library are
     * that clone's, not this one's.
     */
    static java.util.Optional<String> otherRepository(java.nio.file.Path dataHome, java.nio.file.Path workingDir) {
        java.nio.file.Path here = workingDir.getParent() == null ? null : workingDir.getParent().resolve("data");
        if (here == null || !"notebooks".equals(String.valueOf(workingDir.getFileName()))
                || !java.nio.file.Files.isDirectory(here) || !java.nio.file.Files.isDirectory(dataHome)) {
            return java.util.Optional.empty();
        }
        try {
            if (here.toRealPath().equals(dataHome.toRealPath())) {
                return java.util.Optional.empty();
            }
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("Warning: this kernel reads " + dataHome + ", not this repository's " + here
                + " (the kernel belongs to the clone where environment/setup ran last); run environment/setup in "
                + workingDir.getParent() + " to use this one.");
    }

    /** The teacher a notebook distils: the small, fast one in quick mode, the strong one in full mode. */
    public static org.get4j.diffusion.ShippedTeacher teacher() {
        return quick() ? org.get4j.diffusion.ShippedTeacher.SMALL : org.get4j.diffusion.ShippedTeacher.MNIST;
    }
}
