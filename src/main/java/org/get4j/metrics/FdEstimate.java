package org.get4j.metrics;

import java.util.Locale;

/**
 * An FD of n samples with its 95% bootstrap interval [low, high] ({@link FdBootstrap}). Two estimates at the same n
 * whose intervals overlap are not distinguishable: do not rank them.
 */
public record FdEstimate(double fd, double low, double high, long samples) {

    /** Whether the intervals are disjoint, so that the difference is larger than the sampling noise at this n. */
    public boolean distinguishableFrom(FdEstimate other) {
        return high < other.low || other.high < low;
    }

    /** Half the interval's width: the "+-" of a table. */
    public double halfWidth() {
        return (high - low) / 2;
    }

    /** {@code 98.4 [95.1, 101.9]}, with one decimal below 1,000 and none above. */
    @Override
    public String toString() {
        String f = Math.abs(fd) < 1000 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", fd, low, high);
    }
}
