package org.get4j.pairs;

import org.get4j.Get4jException;

/** A contiguous range of sample seeds [first, first + count), written "0-59999" on the command line. */
public record SeedRange(long first, long count) implements java.io.Serializable {
    public SeedRange {
        if (first < 0 || count < 1) {
            throw new Get4jException("seed range needs first >= 0 and at least one seed, got " + first + " + " + count);
        }
    }

    /** Parses "A-B" (inclusive) or a single seed "A". */
    public static SeedRange parse(String text) {
        try {
            String[] parts = text.strip().split("-");
            if (parts.length == 1) {
                return new SeedRange(Long.parseLong(parts[0]), 1);
            }
            if (parts.length == 2) {
                long a = Long.parseLong(parts[0]);
                long b = Long.parseLong(parts[1]);
                if (b < a) {
                    throw new Get4jException("seed range '" + text + "' ends before it starts");
                }
                return new SeedRange(a, b - a + 1);
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new Get4jException("seed range '" + text + "' is not of the form A-B (for example 0-59999)");
    }

    public long last() {
        return first + count - 1;
    }

    @Override
    public String toString() {
        return first + "-" + last();
    }
}
