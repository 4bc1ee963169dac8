package org.get4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.data.ImageGrid;
import org.get4j.deq.SolverConfig;
import org.get4j.deq.StopMode;
import org.get4j.diffusion.Teachers;
import org.get4j.io.ClassLabels;
import org.get4j.io.HostTensor;
import org.get4j.io.Npy;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.ModelConfig;
import org.get4j.pairs.SeededNoise;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code get4j sample}: one-step samples from a trained student. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a trained student in one step (GET: K fixed-point iterations, chosen here) and write "
                + "OUT/samples.png (a grid) and OUT/samples.npy (N, C, H, W) float32. EMA weights by default.")
final class SampleCommand implements Runnable {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions model = new ModelOptions();
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "The student checkpoint (.safetensors).") Path checkpoint;
    @Mixin
    InferenceOptions inference = new InferenceOptions();
    @Option(names = "--n", defaultValue = "64", description = "Samples to draw (default: ${DEFAULT-VALUE}).") int n;
    @Option(names = "--class", paramLabel = "K",
            description = "Class of every sample (conditional models); default: seeded.")
    Integer label;
    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class of each sample, one per line (conditional models; as many as --n; # comments).")
    Path labelFile;
    @Option(names = "--seed", defaultValue = "1000000000",
            description = "First noise seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder for samples.png and samples.npy.") Path out;

    @Override
    public void run() {
        SolverConfig solverConfig = inference.solver();
        Checkpoints.Weights which = inference.weights();
        Flags.atLeast(spec, "--n", n, 1);
        PrintWriter w = spec.commandLine().getOut();
        try (NDManager m = TorchRuntime.newManager()) {
            Generator g = Checkpoints.load(checkpoint, m, model.config(), which);
            ModelConfig c = g.config();
            int px = c.channels() * c.imageSize() * c.imageSize();
            float[] noise = SeededNoise.noise(seed, n, px);
            if (label != null && labelFile != null) {
                throw new ParameterException(spec.commandLine(), "give --class or --labels, not both");
            }
            if ((label != null || labelFile != null) && c.numClasses() == 0) {
                throw new ParameterException(spec.commandLine(), (label != null ? "--class" : "--labels")
                        + ": the model is unconditional");
            }
            if (label != null && (label < 0 || label >= c.numClasses())) {
                throw new ParameterException(spec.commandLine(), "--class must be in 0.." + (c.numClasses() - 1)
                        + ", got " + label);
            }
            long[] labels = c.numClasses() == 0 ? null
                    : label != null ? java.util.stream.LongStream.generate(() -> label).limit(n).toArray()
                    : labelFile != null ? ClassLabels.readList(labelFile, n, c.numClasses())
                    : SeededNoise.labels(seed, n, c.numClasses());
            NDArray x = m.create(noise, new ai.djl.ndarray.types.Shape(n, c.channels(), c.imageSize(), c.imageSize()));
            NDArray z0 = g instanceof GetModel get ? get.initialState(m, n, seed) : null;
            Files.createDirectories(out);
            try (Generator.Sample s = g.sample(new ParameterStore(m, false), x, labels == null ? null : m.create(labels), z0,
                    solverConfig)) {
                NDArray images = s.images().toType(DataType.FLOAT32, false);
                Npy.write(out.resolve("samples.npy"), HostTensor.of(images));
                if (labels != null) { // which class each sample was drawn for, in the order of samples.npy
                    org.get4j.io.RunFiles.writeText(out.resolve("labels.txt"), java.util.Arrays.stream(labels)
                            .mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("\n", "", "\n")));
                } else {
                    Files.deleteIfExists(out.resolve("labels.txt")); // not left over from a conditional run
                }
                ImageGrid.writePng(ImageGrid.of(Teachers.toBytes(images),
                        n, c.channels(), c.imageSize(), c.imageSize(), (int) Math.ceil(Math.sqrt(n)), 2),
                        out.resolve("samples.png"));
                w.printf("wrote %s and %s", out.resolve("samples.png"), out.resolve("samples.npy"));
                if (s.solve() != null) {
                    w.printf(" (%d iterations, max residual %.3e)", s.solve().iterations(),
                            s.solve().maxResidual(StopMode.ABS));
                }
                w.println();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        w.flush();
    }
}
