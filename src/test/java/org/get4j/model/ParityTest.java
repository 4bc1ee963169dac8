package org.get4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.get4j.deq.SolverConfig;
import org.get4j.io.HostTensor;
import org.get4j.io.TorchFile;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our GET against an independent PyTorch implementation written from the notes
 * (src/test/resources/fixtures/torch/make_fixtures.py): same weights, same noise, labels and z0.
 */
class ParityTest {
    private static Path fixture(String name) {
        return TorchFileFixtures.path(name);
    }

    /** max |a - b| / max |b|: relative to the output's scale. */
    private static double relativeError(float[] a, float[] b) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxDiff / maxRef;
    }

    @ParameterizedTest
    @CsvSource({"get_p2, 8, 3, 2, 4, 2, 2, 0", "get_p4_cond, 16, 1, 4, 2, 1, 4, 5"})
    void forwardMatchesTheIndependentPyTorchImplementation(String name, int size, int channels, int patch,
            int heads, int injDepth, double deqRatio, int classes) {
        ModelConfig config = ModelConfig.get(size, channels, patch, 32, heads, injDepth, 3, deqRatio, classes);
        Map<?, ?> io = (Map<?, ?>) TorchFile.load(fixture(name + "_io.pt"));
        try (NDManager m = TorchRuntime.newManager()) {
            GetModel g = (GetModel) Checkpoints.load(fixture(name + ".pth"), m, config, Checkpoints.Weights.EMA);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray noise = ((HostTensor) io.get("noise")).toNDArray(m);
            NDArray z0 = ((HostTensor) io.get("z0")).toNDArray(m);
            NDArray labels = classes > 0 ? ((HostTensor) io.get("labels")).toNDArray(m) : null;

            try (Generator.Sample s = g.sample(ps, noise, labels, z0, SolverConfig.reference())) {
                float[] expected = ((HostTensor) io.get("images")).toFloatArray();
                double err = relativeError(s.images().toFloatArray(), expected);
                assertTrue(err < 1e-4, name + " inference relative error " + err);
                double[] refResiduals = ((HostTensor) io.get("residuals")).toDoubleArray();
                assertEquals(refResiduals.length / 3, s.solve().iterations());
                for (int k = 0; k < s.solve().iterations(); k++) {
                    for (int b = 0; b < 3; b++) {
                        double ref = refResiduals[k * 3 + b];
                        assertEquals(ref, s.solve().absTrace().get(k)[b], 1e-4 * ref, "residual " + k + "," + b);
                    }
                }
            }
            List<?> states = (List<?>) io.get("states");
            List<NDArray> ours = g.trainForward(ps, noise, labels, z0, states.size());
            for (int k = 0; k < states.size(); k++) {
                double err = relativeError(ours.get(k).toFloatArray(), ((HostTensor) states.get(k)).toFloatArray());
                assertTrue(err < 1e-4, name + " unrolled state " + k + " relative error " + err);
            }
        }
    }
}
