package org.get4j.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.metrics.ClassAgreement;
import org.get4j.metrics.FdEstimate;
import org.get4j.metrics.PerClassQuality;
import org.get4j.model.Checkpoints;
import org.get4j.model.Generator;
import org.get4j.model.GetModel;
import org.get4j.model.ModelConfig;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class grid's rows, noise and start states, and the per-class table's shape. */
class ClassViewsTest {
    @TempDir
    Path dir;

    @Test
    void theOverallTableShowsAnUnconditionalReferenceWithoutAnAgreement() {
        var table = ClassViews.overall(List.of(
                new ClassViews.Entry("edm-mnist (unconditional)", "35", new FdEstimate(7.754, 7.21, 8.355, 10_000), null),
                new ClassViews.Entry("teacher", "35", new FdEstimate(4.21, 3.92, 4.53, 10_000),
                        ClassAgreement.Share.of(8_170, 10_000))));
        assertEquals(2, table.rowCount());
        assertEquals("(no label)", table.stringColumn(3).get(0));
        assertEquals(ClassAgreement.Share.of(8_170, 10_000).toString(), table.stringColumn(3).get(1));
        assertEquals("FD [95%], n = 10,000", table.columnNames().get(2));
    }

    @Test
    void everyRowOfAClassGridAsksForItsClassFromTheSameNoise() {
        assertArrayEquals(new long[] {0, 0, 0, 1, 1, 1}, ClassViews.rowLabels(2, 3));
        try (NDManager m = TorchRuntime.newManager()) {
            float[] noise = ClassViews.rowNoise(m, 3, 4, 11, 1, 8).toFloatArray();
            int row = 4 * 64;
            float[] first = Arrays.copyOfRange(noise, 0, row);
            for (int c = 1; c < 3; c++) {
                assertArrayEquals(first, Arrays.copyOfRange(noise, c * row, (c + 1) * row), "row " + c);
            }
            assertArrayEquals(org.get4j.pairs.SeededNoise.noise(11, 4, 64), first, "column j is seed 11 + j");
        }
    }

    @Test
    void aConditionalStudentDrawsTheGridAndAnUnconditionalOneIsRefused() throws Exception {
        try (NDManager m = TorchRuntime.newManager()) {
            ModelConfig config = ModelConfig.get(16, 1, 4, 32, 4, 1, 1, 2, 10).withZ0Scale(1);
            Generator g = Generator.create(config, m);
            Path file = dir.resolve("conditional.safetensors");
            Checkpoints.save(file, g, g, Map.of());
            // a random start state, tiled like the noise: column j starts from the same z0 in every row
            NDArray z0 = ClassViews.tiled(((GetModel) g).initialState(m, 3, 5), 10);
            float[] z = z0.toFloatArray();
            int per = z.length / 30;
            for (int c = 1; c < 10; c++) {
                assertArrayEquals(Arrays.copyOfRange(z, 0, 3 * per), Arrays.copyOfRange(z, c * 3 * per,
                        (c + 1) * 3 * per), "row " + c);
            }
            BufferedImage grid = ClassViews.studentGrid(m, file, 3, 5);
            BufferedImage plain = Pictures.grid(m.zeros(new ai.djl.ndarray.types.Shape(30, 1, 16, 16)), 3);
            assertEquals(plain.getHeight(), grid.getHeight(), "ten rows of 16-pixel images");
            assertTrue(grid.getWidth() > plain.getWidth(), "with the class names left of the rows");

            Path unconditional = dir.resolve("unconditional.safetensors");
            Generator u = Generator.create(ModelConfig.get(16, 1, 4, 32, 4, 1, 1, 2, 0), m);
            Checkpoints.save(unconditional, u, u, Map.of());
            String message = assertThrows(Get4jException.class, () -> ClassViews.studentGrid(m, unconditional, 3, 5))
                    .getMessage();
            assertTrue(message.contains("unconditional.safetensors is unconditional"), message);
        }
    }

    @Test
    void theTableHasOneRowPerClassAndTwoColumnsPerModel() {
        Map<String, List<PerClassQuality.Row>> byModel = new LinkedHashMap<>();
        for (String model : List.of("teacher", "GET-Mini")) {
            byModel.put(model, List.of(
                    new PerClassQuality.Row(0, new FdEstimate(12.5, 11, 14, 1000), 3.2, ClassAgreement.Share.of(990, 1000)),
                    new PerClassQuality.Row(1, new FdEstimate(20, 18, 22, 1000), 2.9, ClassAgreement.Share.of(950, 1000))));
        }
        var t = ClassViews.table(byModel);
        assertEquals(2, t.rowCount());
        assertEquals(List.of("class", "teacher FD [95%]", "teacher agreement [95%]", "GET-Mini FD [95%]",
                "GET-Mini agreement [95%]", "floor (n = 1,000)"), t.columnNames());
        assertEquals("12.5 [11.0, 14.0]", t.stringColumn("GET-Mini FD [95%]").get(0));
        assertEquals("95.0% [93.5, 96.2]", t.stringColumn("teacher agreement [95%]").get(1));
        byModel.put("ViT-Mini", byModel.get("teacher").subList(0, 1));
        assertThrows(IllegalArgumentException.class, () -> ClassViews.table(byModel), "a model short of classes");
    }
    @Test
    void theAgreementAxisZoomsToTheLowestIntervalAndKeepsChanceInViewWhenNeeded() {
        Map<String, List<PerClassQuality.Row>> byModel = new LinkedHashMap<>();
        byModel.put("teacher", List.of(agreementRow(0, 990), agreementRow(1, 940))); // 94.0% [92.4, 95.3]
        assertEquals(90.0, ClassViews.agreementAxisMin(byModel), "the multiple of 10 at least a point below 92.4");
        byModel.put("GET-Mini", List.of(agreementRow(0, 915), agreementRow(1, 1000))); // 91.5% [89.6, 93.1]
        assertEquals(80.0, ClassViews.agreementAxisMin(byModel), "89.6 is the lowest bound now");
        byModel.put("untrained", List.of(agreementRow(0, 100), agreementRow(1, 100))); // chance: 10% [8.3, 12.0]
        assertEquals(0.0, ClassViews.agreementAxisMin(byModel), "a model at chance shows the axis from 0");
        BufferedImage plot = ClassViews.agreementByClass(byModel);
        assertEquals(List.of(640, 420), List.of(plot.getWidth(), plot.getHeight()));
        // every model's markers and bars are drawn in its own colour above the legend (which sits below the plot)
        BufferedImage plotArea = plot.getSubimage(0, 0, plot.getWidth(), plot.getHeight() - 60);
        for (int k = 0; k < byModel.size(); k++) {
            assertTrue(pixelsOf(plotArea, Plots.PALETTE[k]) > 50, "model " + k + "'s colour is drawn");
        }
        assertEquals(0, pixelsOf(plot, Plots.PALETTE[byModel.size()]), "no fourth series");
    }

    private static int pixelsOf(BufferedImage image, java.awt.Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF) ? 1 : 0;
            }
        }
        return n;
    }

    private static PerClassQuality.Row agreementRow(int label, int agreed) {
        return new PerClassQuality.Row(label, new FdEstimate(10, 9, 11, 1000), 3, ClassAgreement.Share.of(agreed, 1000));
    }
}
