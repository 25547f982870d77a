package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 2×2 stride-2 max pooling, which has branch-free loops of its own, against the definition: each output is its
 * window's maximum (clamped at 0 when a ReLU is folded in), and its gradient goes to the first of the window's
 * largest inputs in row-major order (to none where the clamp acted); inputs in no window (an odd last row or
 * column) get 0. Values are drawn from a few levels so that ties and exact zeros occur.
 */
class PairPoolingTest {
    @ParameterizedTest(name = "{0}×{1}, relu={2}")
    @CsvSource({"6,8,false", "5,7,true", "5,7,false", "4,4,true"})
    void outputsAndGradientsFollowTheDefinition(int h, int w, boolean relu) {
        Random rng = new Random(23);
        int channels = 3;
        int batch = 4;
        float[] x = new float[channels * batch * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(5) - 2;
        }
        Pool2d pool = new Pool2d(true, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0, 0, 0}, false, relu);
        float[] dx = new float[x.length];
        // Twice: the second step reuses the first one's arrays, which must not leak into it.
        for (int step = 0; step < 2; step++) {
            Activations y = pool.forward(Activations.spatial(x, channels, batch, h, w), true);
            int oh = h / 2;
            int ow = w / 2;
            assertEquals(channels * batch * oh * ow, y.data.length);
            float[] g = new float[y.data.length];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) rng.nextGaussian();
            }
            dx = pool.backward(y.with(g)).data;
            float[] expected = new float[x.length];
            for (int p = 0; p < channels * batch; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int best = -1;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dxx = 0; dxx < 2; dxx++) {
                                int i = (p * h + 2 * oy + dy) * w + 2 * ox + dxx;
                                if (best < 0 || x[i] > x[best]) {
                                    best = i;
                                }
                            }
                        }
                        int o = (p * oh + oy) * ow + ox;
                        boolean clamped = relu && !(x[best] > 0);
                        assertEquals(clamped ? 0f : x[best], y.data[o], "output " + o);
                        if (!clamped) {
                            expected[best] = g[o];
                        }
                    }
                }
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(expected[i], dx[i], "input gradient " + i + " in step " + step);
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextInt(5) - 2;
            }
        }
    }
}
