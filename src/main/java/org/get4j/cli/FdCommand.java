package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.get4j.Get4jException;
import org.get4j.data.Dataset;
import org.get4j.data.ImageSet;
import org.get4j.io.ClassLabels;
import org.get4j.metrics.ClusterStatistics;
import org.get4j.metrics.Evaluation;
import org.get4j.metrics.FdBootstrap;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.FdRecord;
import org.get4j.metrics.FeatureExtractor;
import org.get4j.metrics.FeatureStatistics;
import org.get4j.metrics.FrechetDistance;
import org.get4j.metrics.PerClassQuality;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code get4j fd A [B]}: the Frechet distance between two inputs, like pytorch-fid's command line. */
@Command(name = "fd", mixinStandardHelpOptions = true,
        description = "Frechet distance between two inputs, each a statistics .npz (mu, sigma), an .npy of images, "
                + "a folder of PNGs, or a dataset split (mnist:test). With one input and --save-stats, only its statistics.")
final class FdCommand implements Runnable {
    @Spec
    CommandSpec spec;
    @Parameters(index = "0..1", arity = "1..2", paramLabel = "INPUT",
            description = "One or two inputs: a statistics .npz, an .npy of images, a PNG folder or a dataset split (mnist:test).") java.util.List<String> inputs;
    @Option(names = "--features", defaultValue = "lenet-mnist",
            description = "lenet-mnist, lenet-fashion or inception (default: ${DEFAULT-VALUE}).") String features;
    @Option(names = "--inception", paramLabel = "FILE", description = "TorchScript Inception for --features inception.")
    Path inception;
    @Option(names = "--save-stats", paramLabel = "OUT.npz", description = "Write the first input's statistics.")
    Path saveStats;
    @Option(names = "--record", paramLabel = "OUT.json", description = "Also write the FD, its interval and the floor "
            + "as JSON, naming the images by SHA-256 (needs an .npy of images and a reference; readers reuse it).")
    Path record;
    @Option(names = "--batch", defaultValue = "500",
            description = "Images per feature-extraction batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--labels", paramLabel = "FILE", description = "The class each image of the .npy input was drawn "
            + "for (one per line, or .npy; get4j sample and teacher sample write it): also class agreement and FD "
            + "class by class (needs a classifier's --features and a dataset split as the other input).")
    Path labels;
    @Option(names = "--classes-csv", paramLabel = "FILE", description = "With --labels: also write the per-class rows "
            + "as CSV (label, samples, fd, fd_low, fd_high, floor, agreed).") Path classesCsv;
    @Option(names = "--spark", description = "Compute the statistics of .npy inputs and pair stores on Apache Spark "
            + "(inputs may then be Hadoop URIs; needs get4j-spark on the classpath: environment/get4j-spark or "
            + "spark-submit).")
    boolean spark;

    @Override
    public void run() {
        Flags.atLeast(spec, "--batch", batch, 1);
        if (inputs.size() == 1 && saveStats == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give two inputs, or one with --save-stats");
        }
        if (labels != null && (inputs.size() != 2 || inputs.stream().noneMatch(Features::isSplit))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--labels needs two inputs: an .npy of images and a dataset split (mnist:test)");
        }
        if (classesCsv != null && labels == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--classes-csv needs --labels");
        }
        if (record != null && (inputs.size() != 2 || inputs.stream().noneMatch(i -> i.endsWith(".npy")))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--record needs two inputs, one of them an .npy of images");
        }
        PrintWriter w = spec.commandLine().getOut();
        try (NDManager m = TorchRuntime.newManager()) {
            FeatureExtractor fx = null;
            FeatureStatistics[] stats = new FeatureStatistics[inputs.size()];
            FdBootstrap[] samples = new FdBootstrap[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                String in = inputs.get(i);
                if (in.endsWith(".npz") && Files.isRegularFile(Path.of(in))) {
                    stats[i] = FeatureStatistics.load(Path.of(in));
                } else if (spark && !Features.isSplit(in)) {
                    stats[i] = ClusterStatistics.find("--spark").statistics(in, features,
                            inception == null ? null : inception.toString(), batch, line -> { });
                } else {
                    if (fx == null) {
                        try {
                            fx = Features.extractor(m, features, inception);
                        } catch (Get4jException e) { // an unknown name is a usage error; a bad file is a failure
                            if (!e.getMessage().startsWith("unknown features")) {
                                throw e;
                            }
                            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--features: "
                                    + e.getMessage());
                        }
                    }
                    samples[i] = Evaluation.bootstrap(fx, Features.images(in), batch); // one block above MAX_DIM
                    stats[i] = samples[i].statistics();
                }
            }
            if (saveStats != null) {
                stats[0].save(saveStats);
                w.printf("wrote statistics of %s to %s%n", inputs.get(0), saveStats);
            }
            if (stats.length == 2) {
                String name = fx != null ? fx.metricName() : "FD (" + features + " features)";
                int s = intervalInput(samples);
                if (s < 0) {
                    w.printf("%s: %.4f%n", name, FrechetDistance.between(stats[0], stats[1]));
                } else {
                    FdEstimate e = samples[s].estimate(stats[1 - s]);
                    if (Double.isNaN(e.low())) {
                        w.printf("%s: %.4f (no interval for %d-d features)%n", name, e.fd(), fx.dim());
                    } else {
                        w.printf(java.util.Locale.ROOT, "%s: %.4f [%.4f, %.4f] (95%% interval over the %d samples of "
                                + "%s)%n", name, e.fd(), e.low(), e.high(), e.samples(), inputs.get(s));
                    }
                }
                Floor floor = floor(m, fx, stats);
                w.println(floor.line());
                if (labels != null) {
                    printClasses(w, fx, s);
                }
                if (record != null) {
                    if (s < 0 || !inputs.get(s).endsWith(".npy")) {
                        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                                "--record: one input must be an .npy of images, the other the reference");
                    }
                    FdRecord.of(name, Path.of(inputs.get(s)), inputs.get(1 - s), samples[s].estimate(stats[1 - s]),
                            floor.value()).write(record);
                    w.printf("wrote %s%n", record);
                }
            }
        }
        w.flush();
    }

    /** Class agreement and the per-class rows of the images input {@code s} against the other input's split. */
    private void printClasses(PrintWriter w, FeatureExtractor fx, int s) {
        if (s < 0 || !inputs.get(s).endsWith(".npy") || !Features.isSplit(inputs.get(1 - s)) || fx == null
                || !fx.classifies()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--labels needs an .npy of images, "
                    + "a dataset split (mnist:test) as the other input and a classifier's --features");
        }
        String split = inputs.get(1 - s);
        Evaluation.ImageSource images = Features.images(inputs.get(s));
        long[] y = ClassLabels.readList(labels, images.size(), fx.classes());
        String[] p = split.split(":");
        Dataset d = Dataset.byName(p[0]);
        Dataset.Split other = p[1].equals("test") ? Dataset.Split.TRAIN : Dataset.Split.TEST;
        java.util.List<PerClassQuality.Row> rows = PerClassQuality.measure(fx, images, y,
                Features.split(d, Dataset.Split.valueOf(p[1].toUpperCase())), Features.split(d, other), batch);
        w.printf("class agreement (%s's verdict is the label in %s): %s%n", fx.metricName().replaceFirst("^FD-", ""),
                labels,
                PerClassQuality.overallAgreement(rows));
        w.printf(java.util.Locale.ROOT, "%-5s %8s  %-28s %8s  %s%n", "class", "samples",
                fx.metricName() + " to its " + p[1] + " images", "floor", "agreement");
        for (PerClassQuality.Row r : rows) {
            w.printf(java.util.Locale.ROOT, "%-5d %,8d  %-28s %8.2f  %s%n", r.label(), r.fd().samples(), r.fd(),
                    r.floor(), r.agreement());
        }
        if (classesCsv != null) {
            PerClassQuality.write(rows, classesCsv);
            w.printf("wrote %s%n", classesCsv);
        }
    }

    /** The input whose samples the interval resamples: images rather than a dataset split; -1 for none. */
    private int intervalInput(FdBootstrap[] samples) {
        for (int i = 0; i < 2; i++) {
            if (samples[i] != null && !Features.isSplit(inputs.get(i))) {
                return i;
            }
        }
        return samples[0] != null ? 0 : samples[1] != null ? 1 : -1;
    }

    /**
     * The real-versus-real floor beside the distance: when one input is a dataset split and the other a set of n
     * images, the distance from n images of the other split to the split's statistics.
     */
    /** The floor's value (NaN when not computed) and the line that reports it. */
    private record Floor(double value, String line) {}

    private Floor floor(NDManager m, FeatureExtractor fx, FeatureStatistics[] stats) {
        int split = -1;
        for (int i = 0; i < 2; i++) {
            if (Features.isSplit(inputs.get(i)) && !Features.isSplit(inputs.get(1 - i))) {
                split = i;
            }
        }
        if (split < 0 || stats[1 - split].count() == 0) {
            return new Floor(Double.NaN,
                    "floor (real vs real): not computed; it needs one dataset split and one set of images (not .npz)");
        }
        String[] p = inputs.get(split).split(":");
        Dataset d = Dataset.byName(p[0]);
        Dataset.Split other = p[1].equals("test") ? Dataset.Split.TRAIN : Dataset.Split.TEST;
        ImageSet real = Features.split(d, other);
        int n = (int) stats[1 - split].count();
        double floor = Evaluation.floor(fx != null ? fx : Features.extractor(m, features, inception), real, stats[split], n);
        return new Floor(floor, Double.isNaN(floor)
                ? String.format("floor (real vs real): not computed; %s has fewer than n = %d images", real.name(), n)
                : String.format("floor (real vs real, n = %d, %s subset vs %s): %.4f", n, other.name().toLowerCase(),
                        inputs.get(split), floor));
    }
}
