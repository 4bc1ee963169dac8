package org.get4j.deq;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The root-finding methods for z = f(z). */
public enum SolverKind {
    /** z <- tau f(z) + (1 - tau) z. */
    FIXED_POINT("fixed_point"),
    /** Anderson acceleration: the next iterate mixes the last m evaluations to minimise their residual. */
    ANDERSON("anderson"),
    /** Limited-memory ("good") Broyden: quasi-Newton on g(z) = f(z) - z with rank-one inverse-Jacobian updates. */
    BROYDEN("broyden");

    private final String key;

    SolverKind(String key) {
        this.key = key;
    }

    /** The name used in configuration files and on the command line. */
    public String key() {
        return key;
    }

    public static SolverKind parse(String name) {
        String n = name.strip().toLowerCase().replace('-', '_');
        for (SolverKind k : values()) {
            if (k.key.equals(n) || (k == FIXED_POINT && n.equals("fixed_point_iter"))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown solver '" + name + "' (expected one of "
                + Arrays.stream(values()).map(SolverKind::key).collect(Collectors.joining(", ")) + ")");
    }
}
