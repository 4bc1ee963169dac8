package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.get4j.ablation.TrainingCost;
import org.get4j.deq.SolverConfig;
import org.get4j.model.ModelConfig;
import org.get4j.train.TrainConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timed ablation scripts' arm tables, parsed as the scripts pass them (environment/timed-arms.sh's common recipe,
 * then each arm's training flags to get4j train and its sampling flags to get4j curve): every arm is a valid command
 * line, and it samples with the iterations it trains through, the solver TrainingCost.run uses, so that a notebook's
 * arms and a script's arms score alike.
 */
class AblationScriptsTest {
    record Arm(String name, ModelConfig model, TrainConfig train, SolverConfig sampling) {}

    /** A script's shell variables of the form name="value" (values may span lines). */
    static Map<String, String> variables(Path script) throws Exception {
        Map<String, String> variables = new LinkedHashMap<>();
        Matcher v = Pattern.compile("(?m)^(\\w+)=\"([^\"]*)\"$").matcher(Files.readString(script));
        while (v.find()) {
            variables.put(v.group(1), v.group(2));
        }
        return variables;
    }

    /** $name and ${name} replaced by the variables' values, longer names first (so $recipe never eats $recipe2). */
    static String substitute(String line, Map<String, String> variables) {
        List<String> names = new ArrayList<>(variables.keySet());
        names.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String name : names) {
            line = line.replace("${" + name + "}", variables.get(name)).replace("$" + name, variables.get(name));
        }
        return line;
    }

    /**
     * The arms of a script's ARMS table, each parsed as timed-arms.sh's train() and score() pass it: the shared recipe
     * (COMMON), the arm's flags (DEFAULT_BATCH and DEFAULT_LR when they name none), a chunk's budget and snapshots,
     * and the arm's sampling flags to get4j curve.
     */
    static Map<String, Arm> arms(Path script) throws Exception {
        Map<String, String> shared = variables(Path.of("environment/timed-arms.sh"));
        Map<String, String> own = variables(script);
        Map<String, Arm> arms = new LinkedHashMap<>();
        for (String line : own.get("ARMS").strip().split("\n")) {
            String[] f = substitute(line, own).split("\\|", -1);
            String flags = words(f[2]).contains("--batch") ? f[2] : f[2] + " " + shared.get("DEFAULT_BATCH");
            flags = words(flags).contains("--lr") ? flags : flags + " " + shared.get("DEFAULT_LR");
            List<String> train = new ArrayList<>(List.of("train", "--pairs", "p", "--model", f[1]));
            train.addAll(words(shared.get("COMMON") + " " + flags));
            train.addAll(List.of("--time-budget", "300", "--snapshot-every", "300", "--out", "o", "--resume"));
            var parsed = Main.commandLine().parseArgs(train.toArray(String[]::new));
            TrainCommand t = (TrainCommand) parsed.subcommand().commandSpec().userObject();
            List<String> curve = new ArrayList<>(List.of("curve", "--run", "r"));
            curve.addAll(words(f[3]));
            CurveCommand c = (CurveCommand) Main.commandLine().parseArgs(curve.toArray(String[]::new)).subcommand()
                    .commandSpec().userObject();
            arms.put(f[0], new Arm(f[0], t.model.config(), t.trainConfig(), c.inference.solver()));
        }
        return arms;
    }

    @Test
    void variablesAreSubstitutedLongestNameFirst() {
        Map<String, String> v = Map.of("recipe", "--unroll 2", "recipe2", "--unroll 3");
        assertEquals("a --unroll 3 b --unroll 2 c --unroll 2", substitute("a $recipe2 b $recipe c ${recipe}", v));
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"environment/ablation-training-cost", "environment/ablation-depth"})
    void everyArmSamplesWithTheIterationsItTrainsThrough(String script) throws Exception {
        Map<String, Arm> arms = arms(Path.of(script));
        assertTrue(arms.size() >= 6, script + ": " + arms.keySet());
        for (Arm a : arms.values()) {
            assertEquals(a.name().endsWith("-lr-1e-3") ? 1e-3 : 5e-4, a.train().lr(),
                    script + ", arm " + a.name() + ": the shared recipe's rate unless the arm names one");
            assertEquals(org.get4j.train.DistillationStep.Distance.L2, a.train().distance(), a.name());
            assertEquals(a.name().endsWith("batch-128") ? 128 : 64, a.train().batch(), a.name());
            assertEquals(SolverConfig.unrolled(TrainingCost.samplingIterations(a.train())), a.sampling(),
                    script + ", arm " + a.name());
            if (a.model().arch() == ModelConfig.Arch.GET) {
                assertEquals(0.0, a.model().z0Scale(), script + ", arm " + a.name() + ": every GET starts at z0 = 0");
            }
        }
    }

    /**
     * Notebook 05's matches hold: ViT 6 has the parameters of GET 2+3 (within 5%), ViT 9 its multiply-adds per
     * image at the 2 iterations it samples with (within 5%; ViT 8, the same block applications, falls 7% short of the
     * injection's projections), and the GETs change only the depths and the width named.
     */
    @Test
    void theDepthArmsMatchWhatNotebook05Says() throws Exception {
        Map<String, Arm> arms = arms(Path.of("environment/ablation-depth"));
        ModelConfig get23 = arms.get("get-2-3").model();
        ModelConfig vit6 = arms.get("vit-6").model();
        ModelConfig vit9 = arms.get("vit-9").model();
        double paramRatio = (double) vit6.parameterCount() / get23.parameterCount();
        assertTrue(Math.abs(paramRatio - 1) < 0.05, "ViT 6 / GET 2+3 parameters: " + paramRatio);
        double macRatio = (double) vit9.inferenceMacs(6) / get23.inferenceMacs(2);
        assertTrue(Math.abs(macRatio - 1) < 0.05, "ViT 9 / GET 2+3 MACs at 2 iterations: " + macRatio);
        assertEquals(2, TrainingCost.samplingIterations(arms.get("get-2-3").train()));
        int[][] shapes = {{1, 1, 64}, {2, 2, 64}, {2, 3, 64}, {2, 3, 96}};
        String[] names = {"get-1-1", "get-2-2", "get-2-3", "get-2-3-wide"};
        for (int i = 0; i < names.length; i++) {
            ModelConfig m = arms.get(names[i]).model();
            assertEquals(List.of(ModelConfig.Arch.GET, shapes[i][0], shapes[i][1], shapes[i][2], 4, 4),
                    List.of(m.arch(), m.depth(), m.memDepth(), m.width(), m.heads(), m.patch()), names[i]);
        }
        assertEquals(List.of(6, 9, 64), List.of(vit6.depth(), vit9.depth(), vit9.width()));
    }

    /**
     * environment/experiment-mnist's GET recipes are the training-cost ablation's arms of the same names: the same
     * unrolled states, sampled with the same iterations, so that its default is the arm the ablation measured best at
     * 60 minutes, and GET_RECIPE=reference the paper's recipe (6 unrolled states, all supervised).
     */
    @Test
    void theExperimentsRecipesAreTheAblationsArms() throws Exception {
        String script = Files.readString(Path.of("environment/experiment-mnist"));
        Matcher r = Pattern.compile("(?m)^\\s+([\\w-]+)\\) recipe_flags=\"([^\"]*)\"; recipe_unroll=(\\d+) ;;$")
                .matcher(script);
        Map<String, Arm> arms = arms(Path.of("environment/ablation-training-cost"));
        List<String> recipes = new ArrayList<>();
        while (r.find()) {
            Arm arm = arms.get(r.group(1));
            assertTrue(arm != null, "recipe " + r.group(1) + " is no arm of the ablation: " + arms.keySet());
            List<String> flags = words(r.group(2));
            assertEquals(List.of("--unroll", Integer.toString(arm.train().unroll())), flags, r.group(1));
            assertEquals(0, arm.train().freeIterations(), r.group(1));
            assertEquals(Integer.parseInt(r.group(3)), TrainingCost.samplingIterations(arm.train()), r.group(1));
            recipes.add(r.group(1));
        }
        assertEquals(List.of("unroll-2", "reference"), recipes);
        assertEquals(6, arms.get("reference").train().unroll());
        assertEquals(TrainConfig.reference(1, 1).unroll(), arms.get("reference").train().unroll(),
                "the reference recipe unrolls as get4j train's defaults");
        assertTrue(script.contains("GET_RECIPE=${GET_RECIPE:-unroll-2}"), "the default recipe is unroll-2");
    }

    /**
     * The experiment refuses an unknown recipe, GET_FLAGS that would change the recipe behind its back, and a GET-Mini
     * run of another recipe, before any work.
     */
    @Test
    void theExperimentRefusesAnotherRecipeBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Result bad = experiment(tmp.resolve("a"), "GET_RECIPE", "unroll-9");
        assertEquals(2, bad.exit(), bad.output());
        assertTrue(bad.output().contains("GET_RECIPE must be unroll-2") && bad.output().contains("'unroll-9'"),
                bad.output());
        Result unroll = experiment(tmp.resolve("c"), "GET_FLAGS", "--z0-scale 0 --unroll 3");
        assertEquals(2, unroll.exit(), unroll.output());
        assertTrue(unroll.output().contains("may not set --unroll"), unroll.output());
        Path runs = tmp.resolve("b");
        Files.createDirectories(runs.resolve("get-mini"));
        Files.writeString(runs.resolve("get-mini/run.json"), "{\n  \"train\" : {\n    \"unroll\" : 6,\n  }\n}\n");
        Result other = experiment(runs, "GET_RECIPE", "unroll-2");
        assertEquals(1, other.exit(), other.output());
        assertTrue(other.output().contains("get-mini was trained with 6 unrolled states")
                && other.output().contains("continue it with GET_RECIPE=reference"), other.output());
        assertTrue(Files.notExists(runs.resolve("pairs")), "no pairs were made");
    }

    record Result(int exit, String output) {}

    private static Result experiment(Path runs, String name, String value) throws IOException, InterruptedException {
        // (past its first checks the script sends both streams to its log and the terminal: read them merged)
        ProcessBuilder pb = new ProcessBuilder("bash", "environment/experiment-mnist").redirectErrorStream(true);
        pb.environment().put("RUNS", runs.toString());
        pb.environment().put(name, value);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
