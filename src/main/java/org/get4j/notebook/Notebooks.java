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
        return quick() ? "Quick mode (GET4J_QUICK=1): small sizes, for CI; numbers are not meaningful."
                : "Full mode: the real experiment at CPU scale.";
    }

    /** The teacher a notebook distils: the small, fast one in quick mode, the strong one in full mode. */
    public static org.get4j.diffusion.ShippedTeacher teacher() {
        return quick() ? org.get4j.diffusion.ShippedTeacher.SMALL : org.get4j.diffusion.ShippedTeacher.MNIST;
    }
}
