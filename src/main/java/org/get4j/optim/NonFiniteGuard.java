package org.get4j.optim;

/**
 * What training does when a step's gradient or loss is NaN or infinite: that update is skipped (the weights and the
 * optimizer state stay as they were, as PyTorch's GradScaler does), the skip is counted in the metrics log, and
 * {@code limit} skips in a row stop the run with an error that names the step, since by then the weights or the data
 * are broken and further steps only waste time.
 */
public final class NonFiniteGuard {
    /** Consecutive skipped steps after which training stops. */
    public static final int DEFAULT_LIMIT = 5;

    private final int limit;
    private long step;
    private int consecutive;

    /** A guard for a run whose next step is {@code stepsDone + 1} (non-zero when a run resumes). */
    public NonFiniteGuard(int limit, long stepsDone) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
        this.step = stepsDone;
    }

    /**
     * Records the next step; returns whether its update may be applied.
     *
     * @throws IllegalStateException on the {@code limit}-th non-finite step in a row
     */
    public boolean admit(double gradNorm, double loss) {
        step++;
        if (Double.isFinite(gradNorm) && Double.isFinite(loss)) {
            consecutive = 0;
            return true;
        }
        consecutive++;
        if (consecutive >= limit) {
            throw new IllegalStateException(String.format(
                    "step %d: the gradient norm is %s and the loss %s, non-finite for the %d-th step in a row; training stopped. "
                            + "The last checkpoint is intact.", step, gradNorm, loss, consecutive));
        }
        return false;
    }
}
