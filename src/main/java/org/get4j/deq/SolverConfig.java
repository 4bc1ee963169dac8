package org.get4j.deq;

import static org.get4j.io.ConfigValues.bool;
import static org.get4j.io.ConfigValues.integer;
import static org.get4j.io.ConfigValues.number;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.get4j.Get4jException;
import org.get4j.io.JsonErrors;

/**
 * A solver's settings, validated on construction. Read from a map or a JSON file, unknown keys are an error that
 * names them (torchdeq silently ignores them, a known source of experiments that ran with defaults by mistake).
 *
 * @param solver the method
 * @param maxIter the most evaluations of f
 * @param tol stop when every sample's residual (per {@code stopMode}) is below this (unless {@code returnFinal})
 * @param stopMode absolute or relative residual
 * @param tau damping of fixed-point iteration, in (0, 1]
 * @param m Anderson's history size (at least 1)
 * @param lambda Anderson's Tikhonov regularisation of the mixing least-squares problem, relative to the mean
 *     squared residual of its history
 * @param beta Anderson's mixing between evaluations (1) and iterates (0), in (0, 1]
 * @param memory the most rank-one updates Broyden keeps (0: as many as iterations)
 * @param returnFinal return the last evaluation after all {@code maxIter} (torchdeq's {@code return_final}) instead
 *     of each sample's lowest-residual one. A map that is not yet contractive (a short training run) has residuals
 *     that grow along the trajectory; the lowest-residual rule then returns the first iterate for every sample, and
 *     the number of iterations stops mattering. The final iterate is what unrolled (phantom) training supervises.
 */
public record SolverConfig(SolverKind solver, int maxIter, double tol, StopMode stopMode, double tau, int m,
        double lambda, double beta, int memory, boolean returnFinal) {

    /** Keys of the map and JSON forms. */
    public static final List<String> KEYS =
            List.of("solver", "max_iter", "tol", "stop_mode", "tau", "m", "lambda", "beta", "memory", "return_final");

    public SolverConfig {
        if (solver == null) {
            throw invalid("solver", "null", "fixed_point, anderson or broyden");
        }
        if (stopMode == null) {
            throw invalid("stop_mode", "null", "abs or rel");
        }
        if (maxIter < 1) {
            throw invalid("max_iter", maxIter, "at least 1");
        }
        if (!(tol >= 0) || Double.isInfinite(tol)) {
            throw invalid("tol", tol, "a finite number >= 0");
        }
        if (!(tau > 0 && tau <= 1)) {
            throw invalid("tau", tau, "in (0, 1]");
        }
        if (m < 1) {
            throw invalid("m", m, "at least 1");
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw invalid("lambda", lambda, "a finite number >= 0");
        }
        if (!(beta > 0 && beta <= 1)) {
            throw invalid("beta", beta, "in (0, 1]");
        }
        if (memory < 0) {
            throw invalid("memory", memory, ">= 0");
        }
    }

    private static Get4jException invalid(String key, Object value, String expected) {
        return new Get4jException("solver config: '" + key + "' = " + value + " is invalid (expected " + expected + ")");
    }

    /**
     * The reference's inference solver: 6 plain fixed-point iterations, absolute tolerance 1e-3, each sample's
     * lowest-residual iterate.
     */
    public static SolverConfig reference() {
        return builder().build();
    }

    /**
     * Exactly {@code iterations} plain fixed-point iterations from z0, returning the last: the trajectory that
     * unrolled (phantom) training supervises, and the inference rule of get4j's samplers. It equals the reference's
     * rule once the map contracts (residuals then fall monotonically); before that, it is the one for which the
     * number of iterations still matters.
     */
    public static SolverConfig unrolled(int iterations) {
        return builder().maxIter(iterations).tol(0).returnFinal(true).build();
    }

    /**
     * The reference's number of fixed-point iterations: the states unrolled training supervises, and the iterations
     * get4j samples with.
     */
    public static final int REFERENCE_ITERATIONS = 6;

    /** The inference rule: {@link #REFERENCE_ITERATIONS} iterations, the last kept. */
    public static SolverConfig sampling() {
        return unrolled(REFERENCE_ITERATIONS);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().solver(solver).maxIter(maxIter).tol(tol).stopMode(stopMode).tau(tau).m(m)
                .lambda(lambda).beta(beta).memory(memory).returnFinal(returnFinal);
    }

    /** The map form, with the keys of {@link #KEYS}. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("solver", solver.key());
        map.put("max_iter", maxIter);
        map.put("tol", tol);
        map.put("stop_mode", stopMode.name().toLowerCase());
        map.put("tau", tau);
        map.put("m", m);
        map.put("lambda", lambda);
        map.put("beta", beta);
        map.put("memory", memory);
        map.put("return_final", returnFinal);
        return map;
    }

    /** Reads a config from a map; keys not given keep the defaults, unknown keys are an error naming them. */
    public static SolverConfig fromMap(Map<String, ?> map) {
        Set<String> unknown = new TreeSet<>(map.keySet());
        KEYS.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new Get4jException("solver config: unknown key(s) " + unknown + "; known keys are " + KEYS);
        }
        Builder b = builder();
        map.forEach((key, value) -> {
            try {
                switch (key) {
                    case "solver" -> b.solver(SolverKind.parse(value.toString()));
                    case "max_iter" -> b.maxIter(integer(value));
                    case "tol" -> b.tol(number(value));
                    case "stop_mode" -> b.stopMode(StopMode.valueOf(value.toString().strip().toUpperCase()));
                    case "tau" -> b.tau(number(value));
                    case "m" -> b.m(integer(value));
                    case "lambda" -> b.lambda(number(value));
                    case "beta" -> b.beta(number(value));
                    case "memory" -> b.memory(integer(value));
                    case "return_final" -> b.returnFinal(bool(value));
                    default -> throw new IllegalStateException(key);
                }
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new Get4jException("solver config: '" + key + "' = " + value + " is not valid: "
                        + e.getMessage(), e);
            }
        });
        return b.build();
    }

    /** Reads a config from a JSON object file. */
    public static SolverConfig fromJson(Path file) {
        Map<String, Object> map;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = new ObjectMapper().readValue(file.toFile(), Map.class);
            map = read;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read solver config " + file + ": " + JsonErrors.describe(e), e);
        }
        try {
            return fromMap(map);
        } catch (Get4jException e) {
            throw new Get4jException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builder with the reference's defaults: fixed point, 6 iterations, abs tol 1e-3, tau 1, lowest residual. */
    public static final class Builder {
        private SolverKind solver = SolverKind.FIXED_POINT;
        private int maxIter = 6;
        private double tol = 1e-3;
        private StopMode stopMode = StopMode.ABS;
        private double tau = 1.0;
        private int m = 5;
        private double lambda = 1e-4;
        private double beta = 1.0;
        private int memory = 0;
        private boolean returnFinal = false;

        public Builder solver(SolverKind v) { solver = v; return this; }
        public Builder maxIter(int v) { maxIter = v; return this; }
        public Builder tol(double v) { tol = v; return this; }
        public Builder stopMode(StopMode v) { stopMode = v; return this; }
        public Builder tau(double v) { tau = v; return this; }
        public Builder m(int v) { m = v; return this; }
        public Builder lambda(double v) { lambda = v; return this; }
        public Builder beta(double v) { beta = v; return this; }
        public Builder memory(int v) { memory = v; return this; }
        public Builder returnFinal(boolean v) { returnFinal = v; return this; }

        public SolverConfig build() {
            return new SolverConfig(solver, maxIter, tol, stopMode, tau, m, lambda, beta, memory, returnFinal);
        }
    }
}
