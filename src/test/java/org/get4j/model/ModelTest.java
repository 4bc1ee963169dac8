package org.get4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.get4j.Get4jException;
import org.get4j.deq.SolverConfig;
import org.get4j.nn.PositionalEmbedding;
import org.get4j.runtime.Torch;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

class ModelTest {
    /** The reference's parameter counts (unconditional, including pos_embed); ViTs as rounded in the paper. */
    private static final Map<String, Long> GET_COUNTS = Map.of("GET-T", 8_558_092L, "GET-M", 19_177_740L,
            "GET-S", 37_173_260L, "GET-B", 62_207_244L, "GET-B+", 83_481_612L);
    private static final Map<String, Double> VIT_MILLIONS = Map.of("ViT-S", 21.4, "ViT-B", 85.3, "ViT-L", 302.6,
            "ViT-XL", 446.7);

    @Test
    void parameterCountsEqualTheReferenceForEveryPresetConditionalAndNot() {
        try (NDManager m = TorchRuntime.newManager()) {
            for (String name : Presets.names()) {
                ModelConfig c = Presets.get(name, 0);
                long built;
                try (NDManager sub = m.newSubManager()) {
                    built = Generator.create(c, sub).parameterCount();
                }
                assertEquals(c.parameterCount(), built, name + ": analytic count vs built model");
                if (GET_COUNTS.containsKey(name)) {
                    assertEquals(GET_COUNTS.get(name), built, name);
                } else if (VIT_MILLIONS.containsKey(name)) {
                    assertEquals(VIT_MILLIONS.get(name), Math.round(built / 1e5) / 10.0, name);
                }
                long conditional = Presets.get(name, 10).parameterCount();
                assertEquals(built + 30L * c.width(), conditional, name + " conditional adds 10 x 3D");
            }
            try (NDManager sub = m.newSubManager()) {
                ModelConfig c = Presets.get("GET-T", 10);
                assertEquals(8_558_092L + 30 * 256, Generator.create(c, sub).parameterCount());
            }
        }
    }

    @Test
    void miniPresetsAreMatchedInSize() {
        long get = Presets.get("GET-Mini", 0).parameterCount();
        long vit = Presets.get("ViT-Mini", 0).parameterCount();
        assertTrue(Math.abs(get - vit) < 0.05 * get, get + " vs " + vit);
    }

    @Test
    void microPresetIsTheSizeOfTheShippedTeacher() {
        long micro = Presets.get("GET-Micro", 0).parameterCount();
        assertEquals(118_608, micro);
        try (NDManager m = TorchRuntime.newManager()) {
            var teacher = (org.get4j.diffusion.EdmTeacher) org.get4j.diffusion.Teachers.load(m,
                    org.get4j.data.DataHome.resolve().resolve("teachers/edm-mnist-small.safetensors"));
            long params = teacher.parameterArrays().stream().mapToLong(a -> a.getShape().size()).sum();
            assertEquals(112_609, params);
            assertTrue(Math.abs(micro - params) < 0.06 * params, "GET-Micro is within 6% of the teacher");
        }
    }

    @Test
    void inferenceMacsMatchThePaper() {
        Map<String, Double> gmacs = Map.of("GET-T", 7.0, "GET-M", 15.1, "GET-S", 31.2, "GET-B", 81.2, "ViT-B", 23.0,
                "ViT-L", 80.5);
        gmacs.forEach((name, expected) ->
                assertEquals(expected, Math.round(Presets.get(name, 0).inferenceMacs(6) / 1e8) / 10.0, name));
    }

    @Test
    void positionalEmbeddingIsTheClosedForm() {
        int d = 16;
        float[] pe = PositionalEmbedding.sinCos2d(d, 3, 5);
        int i = 2;
        int j = 3;
        int t = i * 5 + j;
        for (int k = 0; k < d / 4; k++) {
            double w = Math.pow(10000, -k / 4.0);
            assertEquals(Math.sin(j * w), pe[t * d + k], 1e-6);
            assertEquals(Math.cos(j * w), pe[t * d + 4 + k], 1e-6);
            assertEquals(Math.sin(i * w), pe[t * d + 8 + k], 1e-6);
            assertEquals(Math.cos(i * w), pe[t * d + 12 + k], 1e-6);
        }
        try (NDManager m = TorchRuntime.newManager()) {
            Generator g = Generator.create(small(0), m);
            float[] stored = g.stateDict().get("pos_embed").getArray().toFloatArray();
            assertArrayEquals(PositionalEmbedding.sinCos2d(32, 4, 4), stored, 0f);
            assertFalse(g.stateDict().get("pos_embed").requiresGradient());
        }
    }

    /** A small GET: 16x16x1, patch 4 (16 tokens), width 32. */
    private static ModelConfig small(int classes) {
        return ModelConfig.get(16, 1, 4, 32, 4, 1, 3, 2, classes);
    }

    @Test
    void theZeroInitialisedDecoderOutputsExactlyZero() {
        try (NDManager m = TorchRuntime.newManager()) {
            for (ModelConfig c : List.of(small(0), ModelConfig.vit(16, 1, 4, 32, 4, 2, 0))) {
                Generator g = Generator.create(c, m);
                NDArray noise = m.randomNormal(new Shape(3, 1, 16, 16));
                ParameterStore ps = new ParameterStore(m, false);
                try (Generator.Sample s = g.sample(ps, noise, null, null, SolverConfig.reference())) {
                    assertEquals(new Shape(3, 1, 16, 16), s.images().getShape());
                    assertEquals(0f, s.images().abs().max().getFloat());
                }
                for (NDArray img : g.trainForward(ps, noise, null, null, 6)) {
                    assertEquals(0f, img.abs().max().getFloat());
                }
                assertEquals(c.arch() == ModelConfig.Arch.GET ? 6 : 1, g.trainForward(ps, noise, null, null, 6).size());
            }
        }
    }

    /** Gives the decoder non-zero weights so outputs carry information. */
    private static void randomiseDecoder(Generator g, NDManager m) {
        for (String key : List.of("final_layer.linear.weight", "final_layer.linear.bias")) {
            NDArray a = g.stateDict().get(key).getArray();
            Torch.assign(a, m.randomNormal(0, 0.1f, a.getShape(), a.getDataType()).toFloatArray());
        }
    }

    @Test
    void labelsActOnlyThroughTheClassEmbeddingAndInferenceIsDeterministic() {
        try (NDManager m = TorchRuntime.newManager()) {
            GetModel g = (GetModel) Generator.create(small(10), m);
            randomiseDecoder(g, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray noise = m.randomNormal(new Shape(2, 1, 16, 16));
            NDArray z0 = g.initialState(m, 2, 1, 7L);
            float[] a = g.sample(ps, noise, m.create(new long[] {1, 2}), z0, SolverConfig.reference()).images().toFloatArray();
            float[] again = g.sample(ps, noise, m.create(new long[] {1, 2}), g.initialState(m, 2, 1, 7L),
                    SolverConfig.reference()).images().toFloatArray();
            assertArrayEquals(a, again, 0f, "same seed, same images");
            float[] b = g.sample(ps, noise, m.create(new long[] {1, 3}), z0, SolverConfig.reference()).images().toFloatArray();
            assertFalse(java.util.Arrays.equals(a, b), "labels must matter");
            // With rows 1, 2 and 3 of the class table made equal, labels 2 and 3 become indistinguishable.
            NDArray table = g.stateDict().get("y_embedder.embedding_table.weight").getArray();
            float[] t = table.toFloatArray();
            int w = 3 * 32;
            System.arraycopy(t, w, t, 2 * w, w);
            System.arraycopy(t, w, t, 3 * w, w);
            Torch.assign(table, t);
            float[] c2 = g.sample(ps, noise, m.create(new long[] {1, 2}), z0, SolverConfig.reference()).images().toFloatArray();
            float[] c3 = g.sample(ps, noise, m.create(new long[] {1, 3}), z0, SolverConfig.reference()).images().toFloatArray();
            assertArrayEquals(c2, c3, 0f);
            assertThrows(Get4jException.class, () -> g.sample(ps, noise, null, z0, SolverConfig.reference()));
        }
    }

    @Test
    void initialStateFollowsTheConfiguredScaleAndOlderConfigsReadAsTheReference() {
        try (NDManager m = TorchRuntime.newManager()) {
            GetModel reference = (GetModel) Generator.create(small(0), m);
            GetModel half = (GetModel) Generator.create(small(0).withZ0Scale(0.5), m);
            GetModel zero = (GetModel) Generator.create(small(0).withZ0Scale(0), m);
            float[] z = reference.initialState(m, 2, 9).toFloatArray();
            float[] h = half.initialState(m, 2, 9).toFloatArray();
            assertArrayEquals(reference.initialState(m, 2, 1, 9L).toFloatArray(), z, 0f);
            for (int i = 0; i < z.length; i++) {
                assertEquals(0.5f * z[i], h[i], 0f);
            }
            assertEquals(0f, zero.initialState(m, 2, 9).abs().max().getFloat());
            assertEquals(0f, zero.initialState(m, 2, zero.config().z0Scale(), null).abs().max().getFloat());
        }
        Map<String, Object> older = new java.util.LinkedHashMap<>(small(0).toMap());
        older.remove("z0_scale");
        assertEquals(1.0, ModelConfig.fromMap(older).z0Scale());
        assertThrows(Get4jException.class, () -> small(0).withZ0Scale(-1));
    }

    @Test
    void injectionStartIsTheReferenceMapStartedAtTheInjectionTokens() {
        try (NDManager m = TorchRuntime.newManager()) {
            GetModel reference = (GetModel) Generator.create(small(0).withZ0Scale(0), m);
            randomiseDecoder(reference, m);
            GetModel fromX = (GetModel) Generator.create(small(0).withZ0Scale(0).withZ0Injection(true), m);
            for (var e : reference.stateDict().entrySet()) {
                Torch.assign(fromX.stateDict().get(e.getKey()).getArray(), e.getValue().getArray().toFloatArray());
            }
            ParameterStore ps = new ParameterStore(m, false);
            NDArray noise = m.randomNormal(new Shape(2, 1, 16, 16));
            NDArray x = reference.inject(ps, noise, null, false).tokens();
            SolverConfig two = SolverConfig.reference().toBuilder().maxIter(2).tol(0).build();
            // z0_injection with z0 = 0 is the reference map started at x; without it, the start is z0 itself.
            float[] a = fromX.sample(ps, noise, null, fromX.initialState(m, 2, 0, null), two).images().toFloatArray();
            float[] b = reference.sample(ps, noise, null, x, two).images().toFloatArray();
            assertArrayEquals(b, a, 1e-6f);
            float[] c = reference.sample(ps, noise, null, reference.initialState(m, 2, 0, null), two).images().toFloatArray();
            assertFalse(java.util.Arrays.equals(a, c), "the start must matter after two iterations");
            // Training sees the same start: the unrolled states equal the same map iterated from x.
            List<NDArray> trained = fromX.trainForward(ps, noise, null, fromX.initialState(m, 2, 0, null), 2);
            List<NDArray> fromTokens = reference.trainForward(ps, noise, null, x, 2);
            assertArrayEquals(fromTokens.get(1).toFloatArray(), trained.get(1).toFloatArray(), 1e-6f);
        }
        ModelConfig c = small(0).withZ0Injection(true);
        assertEquals(c, ModelConfig.fromMap(c.toMap()));
        Map<String, Object> older = new java.util.LinkedHashMap<>(small(0).toMap());
        older.remove("z0_injection");
        assertFalse(ModelConfig.fromMap(older).z0Injection(), "configs written before the option read as the reference");
        older.put("z0_injection", "sometimes");
        assertTrue(assertThrows(Get4jException.class, () -> ModelConfig.fromMap(older)).getMessage()
                .contains("z0_injection"));
        assertThrows(Get4jException.class, () -> Presets.get("ViT-Mini", 0).withZ0Injection(true));
    }

    @Test
    void unrolledSamplingReturnsTheStateTrainingSupervisesLast() {
        try (NDManager m = TorchRuntime.newManager()) {
            GetModel g = (GetModel) Generator.create(small(0).withZ0Scale(0), m);
            randomiseDecoder(g, m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray noise = m.randomNormal(new Shape(3, 1, 16, 16));
            List<NDArray> states = g.trainForward(ps, noise, null, g.initialState(m, 3, 0, null), 4);
            for (int k = 1; k <= 4; k++) {
                try (Generator.Sample s = g.sample(ps, noise, null, g.initialState(m, 3, 0, null), SolverConfig.unrolled(k))) {
                    assertArrayEquals(states.get(k - 1).toFloatArray(), s.images().toFloatArray(), 1e-5f,
                            "sampling with " + k + " iterations must decode the k-th unrolled state");
                    assertEquals(k, s.solve().iterations());
                }
            }
            // The reference's rule instead keeps, per sample, the state after the evaluation with the lowest residual.
            SolverConfig lowest = SolverConfig.reference().toBuilder().maxIter(4).tol(0).build();
            try (Generator.Sample s = g.sample(ps, noise, null, g.initialState(m, 3, 0, null), lowest)) {
                float[] images = s.images().toFloatArray();
                int per = images.length / 3;
                for (int i = 0; i < 3; i++) {
                    int best = 0;
                    for (int k = 1; k < 4; k++) {
                        if (s.solve().absTrace().get(k)[i] < s.solve().absTrace().get(best)[i]) {
                            best = k;
                        }
                    }
                    float[] expected = java.util.Arrays.copyOfRange(states.get(best).toFloatArray(), i * per,
                            (i + 1) * per);
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per), 1e-5f,
                            "sample " + i + " keeps state " + (best + 1));
                }
            }
            assertFalse(java.util.Arrays.equals(states.get(0).toFloatArray(), states.get(3).toFloatArray()));
        }
    }

    @Test
    void configRejectsInconsistentSizes() {
        assertThrows(Get4jException.class, () -> ModelConfig.get(28, 1, 3, 32, 4, 1, 3, 4, 0));
        assertThrows(Get4jException.class, () -> ModelConfig.get(32, 1, 4, 30, 4, 1, 3, 4, 0));
        assertThrows(Get4jException.class, () -> ModelConfig.get(32, 1, 4, 32, 5, 1, 3, 4, 0));
        Get4jException e = assertThrows(Get4jException.class, () -> Presets.get("GET-XXL", 0));
        assertTrue(e.getMessage().contains("GET-Mini"));
        Map<String, Object> map = new java.util.HashMap<>(small(0).toMap());
        assertEquals(small(0), ModelConfig.fromMap(map));
        map.put("dropout", 0.1);
        assertTrue(assertThrows(Get4jException.class, () -> ModelConfig.fromMap(map)).getMessage().contains("dropout"));
    }
}
