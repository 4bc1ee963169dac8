package org.get4j.deq;

/** Which residual a solver compares with its tolerance and minimises per sample. */
public enum StopMode {
    /** ||f(z) - z||_2 per sample (the reference's choice). */
    ABS,
    /** ||f(z) - z||_2 / (||f(z)||_2 + 1e-8) per sample. */
    REL
}
