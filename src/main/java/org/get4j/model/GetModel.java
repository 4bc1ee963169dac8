package org.get4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.get4j.deq.FixedPointMap;
import org.get4j.deq.ImplicitGradient;
import org.get4j.deq.PhantomGradient;
import org.get4j.deq.Solver;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverResult;
import org.get4j.nn.GetBlock;
import org.get4j.nn.Layers;
import org.get4j.runtime.Torch;

/**
 * The Generative Equilibrium Transformer.
 *
 * <pre>
 *   x   = PatchEmbed(e) + PE                         noise e (B, C, H, W) to tokens (B, N, D)
 *   c   = Embed(y)                                   (B, 1, 3D), or nothing when unconditional
 *   x   = InjectionBlock_l(x, c),  l = 1..L_inj      (MLP ratio 4)
 *   u_j = chunk_j( Linear(D, 3D L_mem, no bias)(x) ) one injection per equilibrium block, computed once
 *   f(z) = B_L(... B_2(B_1(z, c + u_1), c + u_2) ..., c + u_L)      L = L_mem weight-tied blocks
 *   z*  = f(z*)                                      solved from z0 ~ N(0, I)   (z0_injection: from x + z0)
 *   x0  = Decoder(z*)                                LayerNorm, zero-initialised Linear, unpatchify
 * </pre>
 *
 * Injection and class embedding are both added to the QKV projections; they are summed once per sample.
 */
public final class GetModel extends Generator {
    private final List<GetBlock> blocks = new ArrayList<>();
    private final Linear qkvInj;
    private final List<GetBlock> deqBlocks = new ArrayList<>();

    GetModel(ModelConfig config) {
        super(config);
        for (int l = 0; l < config.depth(); l++) {
            blocks.add(addChildBlock("blocks." + l, new GetBlock(config.width(), config.heads(), config.mlpRatio())));
        }
        qkvInj = addChildBlock("qkv_inj", Layers.linear(3 * config.width() * config.memDepth(), false));
        for (int j = 0; j < config.memDepth(); j++) {
            deqBlocks.add(addChildBlock("deq_blocks." + j,
                    new GetBlock(config.width(), config.heads(), config.deqMlpRatio())));
        }
    }

    /**
     * What the injection transformer gives the equilibrium blocks: its output tokens x (B, N, D) and the QKV biases
     * c + u_j, one (B, N, 3D) array per block.
     */
    public record Injection(NDArray tokens, NDList biases) {}

    /** The injection transformer, run once per sample. */
    public Injection inject(ParameterStore ps, NDArray noise, NDArray labels, boolean training) {
        NDArray x = embed(ps, noise, training);
        NDArray c = classEmbedding(ps, labels, training);
        for (GetBlock block : blocks) {
            NDList in = c == null ? new NDList(x) : new NDList(x, c);
            x = block.forward(ps, in, training).singletonOrThrow();
        }
        NDList u = qkvInj.forward(ps, new NDList(x), training).singletonOrThrow().split(config.memDepth(), 2);
        if (c == null) {
            return new Injection(x, u);
        }
        NDList biases = new NDList(u.size());
        for (NDArray uj : u) {
            biases.add(uj.add(c));
        }
        return new Injection(x, biases);
    }

    /** The fixed-point problem of one batch: the map f and the state z0 the iteration starts from. */
    public record Problem(FixedPointMap map, NDArray start) {}

    /**
     * Runs the injection transformer and sets up the fixed-point problem. The start is z0 (the reference), or x + z0
     * with z0_injection (x: the injection transformer's output tokens). A null z0 is drawn: from the engine's
     * generator in training, as the config's seed-0 initial state at inference.
     */
    public Problem problem(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, boolean training) {
        Injection injection = inject(ps, noise, labels, training);
        long batch = noise.getShape().get(0);
        NDArray state = z0 != null ? z0
                : initialState(noise.getManager(), batch, config().z0Scale(), training ? null : 0L);
        NDArray start = config().z0Injection() ? injection.tokens().add(state) : state;
        return new Problem(equilibriumMap(ps, injection.biases(), training), start);
    }

    /** The fixed-point map f(z) = B_L(... B_1(z, c + u_1) ..., c + u_L) for these injections. */
    public FixedPointMap equilibriumMap(ParameterStore ps, NDList biases, boolean training) {
        return z -> {
            NDArray x = z.singletonOrThrow();
            for (int j = 0; j < deqBlocks.size(); j++) {
                x = deqBlocks.get(j).forward(ps, new NDList(x, biases.get(j)), training).singletonOrThrow();
            }
            return new NDList(x);
        };
    }

    /**
     * The initial state z0 ~ N(0, s^2 I), shape (B, N, D), for s = {@code scale} (0: the zero state). With a seed it
     * is drawn from a generator of its own, so the same seed gives the same z0 (sampling, evaluation); with a null
     * seed from the engine's generator, which the trainer seeds per step (training).
     */
    public NDArray initialState(NDManager manager, long batch, double scale, Long seed) {
        Shape shape = tokenShape(batch);
        if (scale == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        NDArray unit;
        if (seed == null) {
            unit = manager.randomNormal(shape);
        } else {
            float[] values = new float[Math.toIntExact(shape.size())];
            Random random = new Random(seed);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            unit = manager.create(values, shape);
        }
        return scale == 1 ? unit : unit.mul((float) scale);
    }

    /** This model's z0 for sampling: {@link #initialState(NDManager, long, double, Long)} at the config's scale. */
    public NDArray initialState(NDManager manager, long batch, long seed) {
        return initialState(manager, batch, config().z0Scale(), seed);
    }

    @Override
    public int supervisedStates(Supervision how) {
        return how.isImplicit() ? 1 : how.supervised();
    }

    @Override
    public Supervised trainForward(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, Supervision how) {
        Problem p = problem(ps, noise, labels, z0, true);
        if (!how.isImplicit()) { // z_k = f(z_{k-1}), k = 1..n; the last ones with a graph, the last few decoded
            NDList start = new NDList(p.start());
            if (how.freeIterations() > 0) {
                try (Torch.GradMode noGrad = Torch.noGrad()) {
                    start = PhantomGradient.step(p.map(), start, how.freeIterations(), 1.0);
                }
            }
            List<NDList> states = PhantomGradient.unroll(p.map(), start, how.unroll(), 1.0);
            List<NDArray> images = new ArrayList<>(how.supervised());
            for (NDList z : states.subList(states.size() - how.supervised(), states.size())) {
                images.add(decode(ps, z.singletonOrThrow(), true));
            }
            return new Supervised(images, p.map(), states.get(states.size() - 1));
        }
        NDList zStar; // z* = f(z*), found without a graph
        int iterations;
        try (Torch.GradMode noGrad = Torch.noGrad();
                SolverResult r = Solver.of(how.forwardSolver()).solve(p.map(), new NDList(p.start()))) {
            zStar = new NDList(r.state().singletonOrThrow().duplicate());
            iterations = r.iterations();
        }
        ImplicitGradient.Step step = new ImplicitGradient(how.backwardSolver()).at(p.map(), zStar, trainableArrays());
        NDArray image = decode(ps, step.state().singletonOrThrow(), true);
        return new Supervised(List.of(image), p.map(), zStar, iterations, step);
    }

    @Override
    public Sample sample(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, SolverConfig solver) {
        try (Torch.GradMode noGrad = Torch.noGrad()) {
            Problem p = problem(ps, noise, labels, z0, false);
            SolverResult solve = Solver.of(solver).solve(p.map(), new NDList(p.start()));
            NDArray images = decode(ps, solve.state().singletonOrThrow(), false);
            return new Sample(images, solve);
        }
    }

    @Override
    protected void bodyStateDict(Map<String, Parameter> out) {
        for (int l = 0; l < blocks.size(); l++) {
            blocks.get(l).stateDict("blocks." + l + ".", out);
        }
        out.put("qkv_inj.weight", qkvInj.getParameters().get("weight"));
        for (int j = 0; j < deqBlocks.size(); j++) {
            deqBlocks.get(j).stateDict("deq_blocks." + j + ".", out);
        }
    }

    @Override
    protected void initializeBody(NDManager manager, DataType dataType, Shape tokens) {
        Shape bias = new Shape(tokens.get(0), tokens.get(1), 3L * config.width());
        for (GetBlock b : blocks) {
            b.initialize(manager, dataType, tokens, bias);
        }
        qkvInj.initialize(manager, dataType, tokens);
        for (GetBlock b : deqBlocks) {
            b.initialize(manager, dataType, tokens, bias);
        }
    }
}
