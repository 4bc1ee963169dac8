package org.get4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.get4j.Get4jException;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.StopMode;
import org.get4j.io.ClassLabels;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.io.TensorDType;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code get4j forward}: one-step generation from given noise with a reference or get4j checkpoint. */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Run a checkpoint (reference .pth or get4j .safetensors) on noise from a .npy file and write "
                + "the images (NCHW float32 .npy) and, for GET, the per-iteration residuals (OUT.residuals.npy).")
final class ForwardCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "A reference .pth or a get4j .safetensors checkpoint.") Path checkpoint;
    @Mixin
    InferenceOptions inference = new InferenceOptions();
    @Option(names = "--noise", required = true, paramLabel = "N.npy", description = "Unit-variance noise (B, C, H, W).")
    Path noise;
    @Option(names = "--z0", paramLabel = "Z.npy", description = "Initial state (B, N, D), to which a z0_injection "
            + "model adds its injection tokens; default: the model's seeded N(0, s^2 I).")
    Path z0;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the default z0 (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--labels", paramLabel = "L.npy", description = "Class labels (B,) integers, or one-hot (B, K).")
    Path labels;
    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, gpu or gpu:N.") String device;
    @Option(names = "--out", required = true, paramLabel = "OUT.npy",
            description = "The images to write (NCHW float32 .npy).") Path out;

    @Override
    public void run() {
        Checkpoints.Weights which = inference.weights();
        SolverConfig solverConfig = inference.solver();
        if (!out.getFileName().toString().endsWith(".npy")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--out must name a .npy file");
        }
        try (NDManager m = TorchRuntime.newManager(TorchRuntime.device(device))) {
            Generator g = Checkpoints.load(checkpoint, m, model.config(), which);
            ModelConfig c = g.config();
            NDArray x = floats(m, noise, "--noise", 4);
            long batch = x.getShape().get(0);
            expect(x.getShape().getShape(), new long[] {batch, c.channels(), c.imageSize(), c.imageSize()}, noise);
            NDArray start = null;
            if (z0 != null) {
                start = floats(m, z0, "--z0", 3);
                expect(start.getShape().getShape(), new long[] {batch, c.tokens(), c.width()}, z0);
            } else if (g instanceof GetModel get) {
                start = get.initialState(m, batch, seed);
            }
            NDArray y = labels == null ? null : labels(m, labels, batch, c.numClasses());
            try (Generator.Sample s = g.sample(new ParameterStore(m, false), x, y, start, solverConfig)) {
                Npy.write(out, HostTensor.of(s.images().toType(DataType.FLOAT32, false)));
                PrintWriter w = spec.commandLine().getOut();
                w.printf("wrote %s %s%n", out, s.images().getShape());
                if (s.solve() != null) {
                    List<double[]> trace = s.solve().absTrace();
                    ByteBuffer b = ByteBuffer.allocate(trace.size() * (int) batch * 8).order(ByteOrder.LITTLE_ENDIAN);
                    trace.forEach(r -> {
                        for (double v : r) {
                            b.putDouble(v);
                        }
                    });
                    Path res = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.npy$", ".residuals.npy"));
                    Npy.write(res, new HostTensor(TensorDType.FLOAT64, new long[] {trace.size(), batch}, b.array()));
                    w.printf("wrote %s (%d iterations x %d samples, absolute residual ||f(z) - z||; final max %.3e)%n",
                            res, trace.size(), batch, s.solve().maxResidual(StopMode.ABS));
                }
                w.flush();
            }
        }
    }

    private static NDArray floats(NDManager m, Path file, String flag, int dims) {
        HostTensor t = Npy.read(file);
        t.requireFiniteSamples(file.toString());
        if (t.shape().length != dims) {
            throw new Get4jException(flag + " " + file + ": expected " + dims + " dimensions, got "
                    + java.util.Arrays.toString(t.shape()));
        }
        if (t.dtype() != TensorDType.FLOAT32 && t.dtype() != TensorDType.FLOAT64 && t.dtype() != TensorDType.FLOAT16) {
            throw new Get4jException(flag + " " + file + ": expected floating-point data, got " + t.dtype());
        }
        return m.create(t.toFloatArray(), t.djlShape());
    }

    private static void expect(long[] actual, long[] expected, Path file) {
        if (!java.util.Arrays.equals(actual, expected)) {
            throw new Get4jException(file + " has shape " + java.util.Arrays.toString(actual) + "; the model needs "
                    + java.util.Arrays.toString(expected));
        }
    }

    /** The labels file's classes for the batch, on the device (see {@link ClassLabels}). */
    private static NDArray labels(NDManager m, Path file, long batch, int classes) {
        if (classes == 0) {
            throw new Get4jException("--labels given, but the model is unconditional");
        }
        return m.create(ClassLabels.read(file, classes, batch));
    }
}
