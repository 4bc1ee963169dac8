package org.get4j.metrics;

import java.util.Locale;

/**
 * An FD of n samples with its 95% bootstrap interval [low, high] ({@link FdBootstrap}; NaN bounds: none). The interval
 * covers the variance of the samples with the reference held fixed. Two estimates at the same n whose intervals
 * overlap are not distinguishable at this n (a conservative reading): do not rank them.
 */
public record FdEstimate(double fd, double low, double high, long samples) {

    /** Whether the intervals are disjoint, so that the difference is larger than the sampling noise at this n. */
    public boolean distinguishableFrom(FdEstimate other) {
        return high < other.low || other.high < low; // false when either has no interval
    }

    /**
     * {@code 98.4 [95.1, 101.9]}, with one decimal below 1,000 and none above; {@code 98.4 (no interval)}; and
     * "- (too few samples)" where no FD was computed (a class with no more samples than feature dimensions).
     */
    @Override
    public String toString() {
        if (Double.isNaN(fd)) {
            return "- (too few samples)";
        }
        String f = Math.abs(fd) < 1000 ? "%.1f" : "%.0f";
        if (Double.isNaN(low) || Double.isNaN(high)) {
            return String.format(Locale.ROOT, f + " (no interval)", fd);
        }
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", fd, low, high);
    }
}
