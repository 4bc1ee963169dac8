package org.get4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.deq.Diagnostics;
import org.get4j.deq.FixedPointMap;
import org.get4j.deq.ImplicitGradient;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.SolverResult;
import org.get4j.nn.FinalLayer;
import org.get4j.nn.PatchEmbed;
import org.get4j.nn.PositionalEmbedding;

/**
 * What GET and its ViT baseline share: noise in, image out, in the teacher's pixel space.
 * Patch embedding plus a fixed sin-cos positional embedding on the way in, an optional class embedding added to
 * the QKV projection of every block, and the zero-initialised decoder on the way out.
 */
public abstract class Generator extends AbstractBlock {
    protected final ModelConfig config;
    protected final PatchEmbed xEmbedder;
    protected final Parameter posEmbed;
    protected final Parameter classTable;
    protected final FinalLayer finalLayer;

    protected Generator(ModelConfig config) {
        this.config = config;
        int d = config.width();
        xEmbedder = addChildBlock("x_embedder", new PatchEmbed(config.patch(), d));
        posEmbed = addParameter(Parameter.builder().setName("pos_embed").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, config.tokens(), d)).optRequiresGrad(false)
                .optInitializer((m, shape, type) -> m.create(PositionalEmbedding.sinCos2d(d, config.grid(),
                        config.grid()), shape).toType(type, false))
                .build());
        classTable = config.numClasses() == 0 ? null : addParameter(Parameter.builder()
                .setName("embedding_table").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numClasses(), 3L * d)).optInitializer(new NormalInitializer(0.02f))
                .build());
        finalLayer = addChildBlock("final_layer", new FinalLayer(config.patch(), config.channels(), config.grid(),
                config.grid()));
    }

    /** A GET or ViT for the config, initialised (reference initialisation) on the manager's device. */
    public static Generator create(ModelConfig config, NDManager manager) {
        Generator g = config.arch() == ModelConfig.Arch.GET ? new GetModel(config) : new VitModel(config);
        g.initialize(manager, DataType.FLOAT32,
                new Shape(1, config.channels(), config.imageSize(), config.imageSize()));
        return g;
    }

    public ModelConfig config() {
        return config;
    }

    /** Noise (B, C, H, W) to tokens (B, N, D): patch embedding plus the fixed positional embedding. */
    protected NDArray embed(ParameterStore ps, NDArray noise, boolean training) {
        Shape s = noise.getShape();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != config.imageSize()
                || s.get(3) != config.imageSize()) {
            throw new Get4jException("input of shape " + s + " does not fit the model: expected (B, "
                    + config.channels() + ", " + config.imageSize() + ", " + config.imageSize() + ")");
        }
        NDArray x = xEmbedder.forward(ps, new NDList(noise), training).singletonOrThrow();
        return x.add(ps.getValue(posEmbed, noise.getDevice(), training));
    }

    /** The class embedding c (B, 1, 3D) that every block adds to its QKV, or null when unconditional. */
    protected NDArray classEmbedding(ParameterStore ps, NDArray labels, boolean training) {
        if (classTable == null) {
            if (labels != null) {
                throw new Get4jException("labels given to an unconditional model");
            }
            return null;
        }
        if (labels == null) {
            throw new Get4jException("a conditional model (" + config.numClasses() + " classes) needs labels");
        }
        NDArray table = ps.getValue(classTable, labels.getDevice(), training);
        NDArray oneHot = labels.toType(DataType.INT64, false).oneHot(config.numClasses(), table.getDataType());
        return oneHot.matMul(table).expandDims(1);
    }

    /** Tokens (B, N, D) to images (B, C, H, W). */
    public NDArray decode(ParameterStore ps, NDArray tokens, boolean training) {
        return finalLayer.forward(ps, new NDList(tokens), training).singletonOrThrow();
    }

    /**
     * The training-mode forward: the decoded image of every supervised state, and how to back-propagate a loss of
     * them (see {@link Supervision}). GET starts from z0, or from x + z0 when the config sets z0_injection; a null z0
     * is drawn from the engine's generator. The caller closes the result after its backward pass.
     */
    public abstract Supervised trainForward(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0,
            Supervision how);

    /** The images of {@link #trainForward(ParameterStore, NDArray, NDArray, NDArray, Supervision)} for k unrolled states. */
    public List<NDArray> trainForward(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, int steps) {
        return trainForward(ps, noise, labels, z0, Supervision.phantom(steps)).images();
    }

    /** How many images {@link #trainForward} gives for {@code how}: the rule of which states are supervised. */
    public int supervisedStates(Supervision how) {
        return 1;
    }

    /**
     * What a training forward gives the objective: the supervised images (weakest-weighted first), and the
     * fixed-point map and state a Jacobian penalty is taken at (none for a ViT). Closing ends an implicit gradient.
     */
    public static final class Supervised implements AutoCloseable {
        private final List<NDArray> images;
        private final FixedPointMap map;
        private final NDList penaltyState;
        private final int solverIterations;
        private final ImplicitGradient.Step implicit;

        /** A ViT's output, or GET's unrolled states: the loss back-propagates through the recorded graph. */
        public Supervised(List<NDArray> images, FixedPointMap map, NDList lastState) {
            this(images, map, lastState, 0, null);
        }

        /** GET's equilibrium, its gradient by {@code implicit} (solver's iterations recorded). */
        public Supervised(List<NDArray> images, FixedPointMap map, NDList equilibrium, int solverIterations,
                ImplicitGradient.Step implicit) {
            this.images = List.copyOf(images);
            this.map = map;
            this.penaltyState = equilibrium;
            this.solverIterations = solverIterations;
            this.implicit = implicit;
        }

        public List<NDArray> images() {
            return images;
        }

        /** The forward solver's iterations (implicit gradient), else 0. */
        public int solverIterations() {
            return solverIterations;
        }

        /** Hutchinson's ||J_f||_F^2 / dim at the last supervised state, which keeps f contractive. */
        public NDArray jacobianPenalty(List<NDArray> parameters) {
            if (map == null) {
                throw new Get4jException("a Jacobian penalty needs a fixed-point map: this student has none");
            }
            return Diagnostics.jacobianPenalty(map, penaltyState, parameters, null);
        }

        /** Back-propagates {@code loss}: through the recorded graph, or by the implicit gradient. */
        public void backward(GradientCollector gc, NDArray loss) {
            if (implicit != null) {
                implicit.backward(loss);
            } else {
                gc.backward(loss);
            }
        }

        @Override
        public void close() {
            if (implicit != null) {
                implicit.close();
            }
        }
    }

    /**
     * Inference without gradients: images, and for GET the solver's residual record. GET starts from z0 as in
     * {@link #trainForward} (null: the config's seed-0 initial state).
     */
    public abstract Sample sample(ParameterStore ps, NDArray noise, NDArray labels, NDArray z0, SolverConfig solver);

    /** Images and, for an equilibrium model, how the solve went (null for a ViT). Closing frees both. */
    public record Sample(NDArray images, SolverResult solve) implements AutoCloseable {
        @Override
        public void close() {
            images.close();
            if (solve != null) {
                solve.close();
            }
        }
    }

    /** Every parameter under the reference's state-dict key. */
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        xEmbedder.stateDict("x_embedder.", out);
        out.put("pos_embed", posEmbed);
        if (classTable != null) {
            out.put("y_embedder.embedding_table.weight", classTable);
        }
        bodyStateDict(out);
        finalLayer.stateDict("final_layer.", out);
        return out;
    }

    protected abstract void bodyStateDict(Map<String, Parameter> out);

    /** Parameters counted as the reference counts them (including pos_embed). */
    public long parameterCount() {
        return stateDict().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }

    /** The trainable parameter arrays (everything but the fixed positional embedding). */
    public List<ai.djl.ndarray.NDArray> trainableArrays() {
        return stateDict().values().stream().filter(Parameter::requiresGradient).map(Parameter::getArray).toList();
    }

    /**
     * Refused: how many states to supervise and which solver to sample with are the caller's choices, made with
     * {@link #trainForward} and {@link #sample}, not hidden here.
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException("run a " + getClass().getSimpleName()
                + " with trainForward(..., Supervision) or sample(..., SolverConfig)");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Token shape (B, N, D) for a batch of B. */
    protected Shape tokenShape(long batch) {
        return new Shape(batch, config.tokens(), config.width());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        xEmbedder.initialize(manager, dataType, inputShapes[0]);
        initializeBody(manager, dataType, tokenShape(inputShapes[0].get(0)));
        finalLayer.initialize(manager, dataType, tokenShape(inputShapes[0].get(0)));
    }

    protected abstract void initializeBody(NDManager manager, DataType dataType, Shape tokens);
}
