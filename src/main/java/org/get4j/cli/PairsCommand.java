package org.get4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.get4j.Get4jException;
import org.get4j.data.ImageGrid;
import org.get4j.diffusion.Denoiser;
import org.get4j.diffusion.SamplerConfig;
import org.get4j.diffusion.Teachers;
import org.get4j.pairs.ClusterPairs;
import org.get4j.pairs.PairGenerator;
import org.get4j.pairs.PairManifest;
import org.get4j.pairs.PairStore;
import org.get4j.pairs.PairViews;
import org.get4j.pairs.ReferenceImport;
import org.get4j.pairs.SeedRange;
import org.get4j.runtime.TorchRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code get4j pairs generate|verify|show|import-reference}. */
@Command(name = "pairs", mixinStandardHelpOptions = true, description = "Make, check and import (noise, image) pairs.",
        subcommands = {PairsCommand.Generate.class, PairsCommand.Verify.class, PairsCommand.Show.class,
            PairsCommand.Import.class})
final class PairsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Run the teacher's EDM sampler on seeded noise and store the pairs in shards with a manifest. "
                    + "Rerun the same command to resume: finished shards are verified and skipped.")
    static final class Generate implements Runnable {
        @Spec
        CommandSpec spec;
        @Option(names = "--teacher", required = true, paramLabel = "FILE|gmm:mnist",
                description = "Teacher file (get4j EDM/GMM .safetensors, TorchScript .pt) or gmm:mnist[:rank].")
        String teacher;
        @Option(names = "--seeds", required = true, paramLabel = "A-B", description = "Seed range, e.g. 0-59999.")
        String seeds;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "The store's folder (with --spark: any Hadoop URI, e.g. hdfs://.../pairs).") String out;
        @Option(names = "--shard-size", defaultValue = "5000",
                description = "Pairs per shard file, the unit of resume (default: ${DEFAULT-VALUE}).") int shardSize;
        @Option(names = "--batch", defaultValue = "64", description = "Teacher batch (default: ${DEFAULT-VALUE}; "
                + "larger batches sample slower on CPU).")
        int batch;
        @Option(names = "--steps", defaultValue = "18", description = "Sampler steps N (2N-1 evaluations).") int steps;
        @Option(names = "--euler", description = "Euler instead of Heun.") boolean euler;
        @Option(names = "--float32", description = "Keep the ODE state in float32 (default float64).") boolean float32;
        @Option(names = "--conditional", description = "Draw a label per seed and condition the teacher on it.")
        boolean conditional;
        @Option(names = "--spark", description = "Run on Apache Spark, one task per shard (needs get4j-spark on the "
                + "classpath: environment/get4j-spark or spark-submit). The teacher may then be a Hadoop URI.")
        boolean spark;
        @picocli.CommandLine.Mixin
        GuidanceOptions guidance;

        @Override
        public void run() {
            SeedRange range;
            SamplerConfig sampler;
            Flags.atLeast(spec, "--shard-size", shardSize, 1);
            guidance.check(spec);
            Flags.atLeast(spec, "--batch", batch, 1);
            Flags.atLeast(spec, "--steps", steps, 1);
            try {
                range = SeedRange.parse(seeds);
                sampler = SamplerConfig.reference().withSteps(steps).withFloat64(!float32);
                if (euler) {
                    sampler = sampler.withEuler();
                }
            } catch (Get4jException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--seeds: " + e.getMessage());
            }
            PrintWriter w = spec.commandLine().getOut();
            if (spark && guidance.given()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--guidance runs on this machine only, not with --spark");
            }
            if (spark) {
                ClusterPairs cluster = ClusterPairs.find("--spark");
                PairManifest manifest = cluster.generate(teacher, sampler, range, shardSize, batch, conditional, out,
                        line -> {
                            w.println(line);
                            w.flush();
                        });
                w.printf("%d pairs from %s in %s on %s (%d shards, manifest %s/%s)%n", manifest.count(),
                        manifest.teacher(), out, cluster.engine(), manifest.shards().size(), out, PairManifest.FILE);
                w.flush();
                return;
            }
            try (NDManager m = TorchRuntime.newManager()) {
                Path out = Path.of(this.out);
                Denoiser t = guidance.apply(spec, m, Teachers.resolve(m, teacher));
                PairGenerator g = new PairGenerator(t, sampler, range, shardSize, batch, conditional);
                int shards = PairManifest.shardCount(range.count(), shardSize);
                g.checkPlan(out); // a refusal before the progress bar
                PairManifest manifest;
                try (ProgressBar bar = Bars.of("pairs", range.count(), 0, "pairs", spec.commandLine().getErr())) {
                    manifest = g.generate(m, out, p -> {
                        bar.stepTo(p.pairsDone());
                        bar.setExtraMessage(" " + p.shardsDone() + "/" + shards + " shards"
                                + (p.skipped() ? " (kept)" : ""));
                    });
                }
                w.printf("%d pairs from %s in %s (%d shards, manifest %s)%n", manifest.count(), manifest.teacher(), out,
                        manifest.shards().size(), out.resolve(PairManifest.FILE));
            }
            w.flush();
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-check every shard against the manifest.")
    static final class Verify implements Runnable {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "The pair store to check.") Path dir;

        @Override
        public void run() {
            List<String> problems = PairStore.open(dir, null).verifyAll();
            if (!problems.isEmpty()) {
                throw new Get4jException(problems.size() + " shard(s) failed: " + String.join("; ", problems));
            }
            spec.commandLine().getOut().printf("all shards of %s verified%n", dir);
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a store's manifest summary.")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "The pair store to describe.") Path dir;
        @Option(names = "--grid", paramLabel = "PNG", description = "Also draw the first pairs: noise above image.")
        Path grid;
        @Option(names = "--n", defaultValue = "16",
                description = "Pairs in the grid (default: ${DEFAULT-VALUE}).") int n;

        @Override
        public void run() {
            Flags.atLeast(spec, "--n", n, 1);
            PairManifest m = PairManifest.read(dir);
            if (grid != null) {
                var pairs = PairStore.open(dir, null).range(0, Math.min(n, m.count()));
                try {
                    ImageGrid.writePng(PairViews.grid(pairs, 2), grid);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("pairs      %d (seeds %d-%d) in %d shards of %d%n", m.count(), m.firstSeed(),
                    m.firstSeed() + m.count() - 1, m.shards().size(), m.shardSize());
            w.printf("images     %dx%dx%d %s, %s%n", m.channels(), m.imageSize(), m.imageSize(), m.imageDtype(),
                    m.numClasses() > 0 ? m.numClasses() + " classes" : "unconditional");
            w.printf("teacher    %s%nsampler    %s%nsource     %s%n", m.teacher(), m.sampler(), m.source());
            w.flush();
        }
    }

    @Command(name = "import-reference", mixinStandardHelpOptions = true,
            description = "Convert the reference's latent/*.pkl and image/*.pkl files into a pair store.")
    static final class Import implements Runnable {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "DIR", description = "Folder with latent/ and image/.") Path reference;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "The pair store to create.") Path out;
        @Option(names = "--teacher-name", defaultValue = "reference-edm-cifar10",
                description = "Teacher identity recorded in the manifest (default: ${DEFAULT-VALUE}).") String name;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            PairManifest m = ReferenceImport.convert(reference, out, name, line -> {
                w.println(line);
                w.flush();
            });
            w.printf("%d pairs imported into %s%n", m.count(), out);
            w.flush();
        }
    }
}
