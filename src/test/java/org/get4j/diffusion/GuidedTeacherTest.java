package org.get4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.get4j.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;

/** Classifier-free guidance is the affine mix of the two denoisers that its formula says. */
class GuidedTeacherTest {
    /** D(x; sigma, c) = a x + sigma + b c (c = 0 without labels): simple, and different for every input. */
    private record Affine(double a, double b, int numClasses) implements Denoiser {
        @Override
        public NDArray denoise(NDArray x, NDArray sigma, NDArray labels) {
            NDArray out = x.mul(a).add(sigma.reshape(-1, 1, 1, 1));
            return labels == null ? out : out.add(labels.toType(x.getDataType(), false).mul(b).reshape(-1, 1, 1, 1));
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int imageSize() {
            return 2;
        }

        @Override
        public String identity() {
            return "affine(" + a + ", " + b + ")";
        }
    }

    @Test
    void guidanceIsTheUnconditionalPlusWTimesTheDifference() {
        Denoiser conditional = new Affine(0.5, 0.25, 10);
        Denoiser unconditional = new Affine(0.75, 0.125, 0); // given labels by mistake, its output would change
        try (NDManager m = TorchRuntime.newManager()) {
            NDArray x = m.create(new float[] {1, -2, 3, 4, 0.5f, 0, -1, 2}, new Shape(2, 1, 2, 2));
            NDArray sigma = m.create(new float[] {0.5f, 2});
            NDArray labels = m.create(new long[] {3, 7});
            float[] c = conditional.denoise(x, sigma, labels).toFloatArray();
            float[] u = unconditional.denoise(x, sigma, null).toFloatArray();
            for (double w : new double[] {0, 1, 2.5}) {
                float[] guided = new GuidedTeacher(conditional, unconditional, w).denoise(x, sigma, labels).toFloatArray();
                float[] expected = new float[u.length];
                for (int i = 0; i < u.length; i++) {
                    expected[i] = (float) (u[i] + w * (c[i] - u[i]));
                }
                assertArrayEquals(expected, guided, 1e-5f, "w = " + w);
            }
        }
        GuidedTeacher g = new GuidedTeacher(conditional, unconditional, 2);
        assertEquals(10, g.numClasses());
        assertEquals("guided(w=2.0, affine(0.5, 0.25), affine(0.75, 0.125))", g.identity());
    }

    @Test
    void guidanceRefusesTwoConditionalTeachersOrANegativeWeight() {
        Denoiser conditional = new Affine(0.5, 0.25, 10);
        assertThrows(IllegalArgumentException.class, () -> new GuidedTeacher(conditional, conditional, 2));
        assertThrows(IllegalArgumentException.class, () -> new GuidedTeacher(conditional, new Affine(1, 0, 0), -1));
        assertThrows(IllegalArgumentException.class,
                () -> new GuidedTeacher(conditional, new Affine(1, 0, 0), Double.NaN));
    }
}
