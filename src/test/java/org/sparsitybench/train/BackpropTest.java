package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-written backward passes agree with finite differences of the loss, and the ND4J matrix product with
 * a plain triple loop.
 */
class BackpropTest {
    private static final double STEP = 5e-4;

    @ParameterizedTest(name = "transA={0}, transB={1}, accumulate={2}")
    @CsvSource({"false,false,false", "true,false,false", "false,true,false", "true,true,true", "false,false,true"})
    void gemmMatchesATripleLoop(boolean transA, boolean transB, boolean accumulate) {
        int m = 7;
        int n = 5;
        int k = 11;
        Random rng = new Random(3);
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        float[] c = random(rng, m * n);
        float[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? expected[i * n + j] : 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                }
                expected[i * n + j] = (float) s;
            }
        }
        new Gemm().multiply(a, transA, b, transB, c, m, n, k, accumulate);
        assertArrayEquals(expected, c, 1e-4f);
    }

    @ParameterizedTest(name = "k={0}, stride={1}, pad={2}, {3}×{3}")
    @CsvSource({"3,1,1,5", "5,1,2,6", "5,1,0,7", "3,2,1,6", "1,2,0,5", "3,1,0,4"})
    void convolutionMatchesTheDirectSum(int k, int stride, int pad, int size) {
        Random rng = new Random(5);
        int inC = 2;
        int outC = 3;
        int n = 2;
        Conv2d conv = new Conv2d("conv", inC, outC, k, stride, pad, true, rng);
        Param w = conv.params().get(0);
        Param b = conv.params().get(1);
        b.gaussian(rng, 1);
        float[] x = random(rng, inC * n * size * size);
        Activations y = conv.forward(Activations.spatial(x, inC, n, size, size), false);
        int out = (size + 2 * pad - k) / stride + 1;
        assertEquals(out, y.height);
        for (int o = 0; o < outC; o++) {
            for (int s = 0; s < n; s++) {
                for (int oy = 0; oy < out; oy++) {
                    for (int ox = 0; ox < out; ox++) {
                        double sum = b.value[o];
                        for (int c = 0; c < inC; c++) {
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j < k; j++) {
                                    int iy = oy * stride - pad + i;
                                    int ix = ox * stride - pad + j;
                                    if (iy >= 0 && iy < size && ix >= 0 && ix < size) {
                                        sum += w.value[((o * inC + c) * k + i) * k + j]
                                                * x[((c * n + s) * size + iy) * size + ix];
                                    }
                                }
                            }
                        }
                        assertEquals(sum, y.data[((o * n + s) * out + oy) * out + ox], 1e-4);
                    }
                }
            }
        }
    }

    /**
     * Output, input gradient, weight and bias gradients of a convolution over a batch cut into several chunks
     * equal the direct sums: stride 1 takes the wide-row path (padding, dilation and groups included; one case
     * with rows that run past their plane), stride 2 the per-tap one.
     */
    @ParameterizedTest(name = "k={0}, stride={1}, pads={2},{3},{4},{5}, dilation={6}, groups={7}")
    @CsvSource({"3,1,1,2,0,1,2,2", "5,1,2,2,2,2,1,1", "5,1,0,0,0,0,1,1", "3,2,1,1,1,1,1,2", "1,1,0,0,0,0,1,1"})
    void convolutionOverSeveralChunksMatchesTheDirectSums(int k, int stride, int pt, int pl, int pb, int pr, int dil,
                                                          int groups) {
        Random rng = new Random(17);
        int inC = 4;
        int outC = 6;
        int h = 9;
        int w = 10;
        int cg = inC / groups;
        int og = outC / groups;
        Param weight = new Param("w", outC, cg, k, k).gaussian(rng, 1);
        Param bias = new Param("b", outC).gaussian(rng, 1);
        Conv2d conv = new Conv2d("conv", weight, bias, new int[] {stride, stride}, new int[] {pt, pl, pb, pr},
                new int[] {dil, dil}, groups);
        int oh = (h + pt + pb - dil * (k - 1) - 1) / stride + 1;
        int ow = (w + pl + pr - dil * (k - 1) - 1) / stride + 1;
        // At least three chunks of Conv2d.CHUNK_FLOATS patch values.
        int n = 3 * Conv2d.CHUNK_FLOATS / (cg * k * k * oh * ow) + 5;
        float[] x = random(rng, inC * n * h * w);
        float[] gy = random(rng, outC * n * oh * ow);
        Activations y = conv.forward(Activations.spatial(x, inC, n, h, w), true);
        Activations dx = conv.backward(y.with(gy));
        double[] ey = new double[y.data.length];
        double[] edx = new double[x.length];
        double[] edw = new double[weight.value.length];
        double[] edb = new double[outC];
        for (int o = 0; o < outC; o++) {
            int q = o / og;
            for (int s = 0; s < n; s++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((o * n + s) * oh + oy) * ow + ox;
                        ey[yi] = bias.value[o];
                        edb[o] += gy[yi];
                        for (int c = 0; c < cg; c++) {
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j < k; j++) {
                                    int iy = oy * stride - pt + i * dil;
                                    int ix = ox * stride - pl + j * dil;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        int wi = ((o * cg + c) * k + i) * k + j;
                                        int xi = (((q * cg + c) * n + s) * h + iy) * w + ix;
                                        ey[yi] += weight.value[wi] * (double) x[xi];
                                        edx[xi] += weight.value[wi] * (double) gy[yi];
                                        edw[wi] += x[xi] * (double) gy[yi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assertClose(ey, y.data, "output");
        assertClose(edx, dx.data, "input gradient");
        assertClose(edw, weight.grad, "weight gradient");
        assertClose(edb, bias.grad, "bias gradient");
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])) + 1e-3, what + " at " + i);
        }
    }

    /**
     * Batch statistics come from one pass of shifted sums: on data far from 0 with a small spread (where a
     * plain sum of squares would cancel), the normalised output and the running variance still equal the
     * two-pass values.
     */
    @Test
    void batchNormStatisticsOfDataFarFromZeroMatchTwoPasses() {
        Random rng = new Random(19);
        int channels = 2;
        int n = 16;
        int plane = 25;
        int m = n * plane;
        float[] x = new float[channels * m];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (100 * (1 + i / m) + 0.01 * rng.nextGaussian());
        }
        BatchNorm bn = new BatchNorm("bn", channels);
        Activations y = bn.forward(Activations.spatial(x, channels, n, 5, 5), true);
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            for (int i = c * m; i < (c + 1) * m; i++) {
                mean += x[i];
            }
            mean /= m;
            double sq = 0;
            for (int i = c * m; i < (c + 1) * m; i++) {
                sq += (x[i] - mean) * (x[i] - mean);
            }
            double std = Math.sqrt(sq / m + BatchNorm.EPSILON);
            for (int i = c * m; i < (c + 1) * m; i++) {
                assertEquals((x[i] - mean) / std, y.data[i], 2e-3, "channel " + c + " at " + i);
            }
            float runningVar = bn.buffers().get(1).value[c];
            assertEquals(0.9 + 0.1 * sq / (m - 1), runningVar, 1e-7, "running variance of channel " + c);
        }
    }

    @Test
    void denseStackGradientsMatchFiniteDifferences() {
        Random rng = new Random(11);
        Network net = new Network(new int[] {5}, 3, List.of(
                new Dense("fc1", 5, 4, rng), new Relu("relu"), new Dense("fc2", 4, 3, rng)));
        checkGradients(net, 6, rng);
    }

    @Test
    void convolutionBatchNormPoolingGradientsMatchFiniteDifferences() {
        Random rng = new Random(12);
        Network net = new Network(new int[] {2, 6, 6}, 3, List.of(
                new Conv2d("conv1", 2, 3, 3, 1, 1, true, rng), new BatchNorm("bn1", 3), new Relu("relu1"),
                new MaxPool("pool"),
                new Conv2d("conv2", 3, 4, 3, 2, 1, false, rng),
                new Flatten("flatten"), new Dense("fc", 16, 3, rng)));
        checkGradients(net, 4, rng);
    }

    @Test
    void residualBlockWithProjectionGradientsMatchFiniteDifferences() {
        Random rng = new Random(13);
        Network net = new Network(new int[] {2, 4, 4}, 3, List.of(
                new Residual("block", List.of(
                        new Conv2d("block.conv1", 2, 4, 3, 2, 1, false, rng), new BatchNorm("block.bn1", 4),
                        new Relu("block.relu1"), new Conv2d("block.conv2", 4, 4, 3, 1, 1, false, rng)),
                        List.of(new Conv2d("block.proj", 2, 4, 1, 2, 0, false, rng))),
                new Residual("identity", List.of(new Conv2d("identity.conv", 4, 4, 3, 1, 1, true, rng)), List.of()),
                new GlobalAvgPool("gap"), new Dense("fc", 4, 3, rng)));
        checkGradients(net, 5, rng);
    }

    @Test
    void softmaxCrossEntropyOfUniformLogitsIsLogK() {
        float[] grad = new float[8];
        int[] correct = new int[1];
        double loss = SoftmaxCrossEntropy.lossAndGradient(new float[8], new int[] {1, 3}, 2, 4, grad, correct);
        assertEquals(Math.log(4), loss, 1e-9);
        assertArrayEquals(new float[] {0.125f, -0.375f, 0.125f, 0.125f, 0.125f, 0.125f, 0.125f, -0.375f}, grad, 1e-7f);
    }

    /**
     * For each parameter tensor, the derivative of the loss along a random direction d, by central differences,
     * equals the back-propagated gradient dotted with d (within 2 % and float rounding).
     */
    private static void checkGradients(Network net, int n, Random rng) {
        float[] x = random(rng, n * net.inputSize());
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(net.classes());
        }
        float[] grad = new float[n * net.classes()];
        loss(net, x, labels, grad, true);
        for (Param p : net.params()) {
            float[] d = random(rng, p.value.length);
            double analytic = 0;
            for (int i = 0; i < d.length; i++) {
                analytic += p.grad[i] * (double) d[i];
            }
            float[] saved = p.value.clone();
            for (int i = 0; i < d.length; i++) {
                p.value[i] = (float) (saved[i] + STEP * d[i]);
            }
            double up = loss(net, x, labels, grad, false);
            for (int i = 0; i < d.length; i++) {
                p.value[i] = (float) (saved[i] - STEP * d[i]);
            }
            double down = loss(net, x, labels, grad, false);
            System.arraycopy(saved, 0, p.value, 0, saved.length);
            double numeric = (up - down) / (2 * STEP);
            assertTrue(Math.abs(numeric - analytic) <= 0.02 * Math.max(Math.abs(numeric), Math.abs(analytic)) + 2e-4,
                    p.name + ": back-propagated " + analytic + ", finite differences " + numeric);
        }
    }

    /** Training-mode loss; with {@code backprop}, also fills the parameter gradients (zeroed first). */
    private static double loss(Network net, float[] x, int[] labels, float[] grad, boolean backprop) {
        int n = labels.length;
        Activations logits = net.forward(x, n, true);
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits.data, labels, n, net.classes(), grad, new int[1]);
        if (backprop) {
            net.params().forEach(Param::zeroGrad);
            net.backward(Activations.flat(grad, n, net.classes()));
        }
        return loss;
    }

    private static float[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }
}
