package org.get4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The timed ablation scripts' arm tables, parsed as the scripts pass them (environment/timed-arms.sh's common recipe,
 * then each arm's training flags to get4j train and its sampling flags to get4j curve): every arm is a valid command
 * line, and it samples with the iterations it trains through, the solver TrainingCost.run uses, so that a notebook's
 * arms and a script's arms score alike.
 */
class AblationScriptsTest {
    record Arm(String name, ModelConfig model, TrainConfig train, SolverConfig sampling) {}

    /** The common flags of environment/timed-arms.sh's train(). */
    private static final String COMMON = "--lr 5e-4 --warmup 100 --loss l2 --ema 0.999 --ema-warmup --seed 0";

    /** The arms of a script's ARMS table, with its shell variables of the form name="value" substituted. */
    static Map<String, Arm> arms(Path script) throws Exception {
        String text = Files.readString(script);
        Map<String, String> variables = new LinkedHashMap<>();
        Matcher v = Pattern.compile("(?m)^(\\w+)=\"([^\"]*)\"$").matcher(text);
        while (v.find()) {
            variables.put(v.group(1), v.group(2));
        }
        Map<String, Arm> arms = new LinkedHashMap<>();
        for (String line : variables.get("ARMS").strip().split("\n")) {
            for (var e : variables.entrySet()) {
                line = line.replace("$" + e.getKey(), e.getValue());
            }
            String[] f = line.split("\\|", -1);
            String flags = f[2].contains("--batch") ? f[2] : f[2] + " --batch 64";
            List<String> train = new ArrayList<>(List.of("train", "--pairs", "p", "--out", "o", "--steps", "1",
                    "--model", f[1]));
            train.addAll(words(COMMON + " " + flags));
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

    private static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"environment/ablation-training-cost", "environment/ablation-depth"})
    void everyArmSamplesWithTheIterationsItTrainsThrough(String script) throws Exception {
        Map<String, Arm> arms = arms(Path.of(script));
        assertTrue(arms.size() >= 6, script + ": " + arms.keySet());
        for (Arm a : arms.values()) {
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
}
