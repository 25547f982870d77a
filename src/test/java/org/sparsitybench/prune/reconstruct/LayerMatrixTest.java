package org.sparsitybench.prune.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

class LayerMatrixTest {
    /** im2col rows times each group's matrix give a direct grouped, strided, dilated, padded convolution. */
    @Test
    void patchesTimesMatrixIsTheConvolution() {
        int n = 2, c = 4, h = 7, w = 6, o = 6, groups = 2, k = 3;
        int cg = c / groups, og = o / groups;
        long[] strides = {2, 1};
        long[] dil = {1, 2};
        long[] pads = {1, 2, 0, 1}; // top, left, bottom, right
        Random rnd = new Random(1);
        float[] x = new float[n * c * h * w];
        float[] wt = new float[o * cg * k * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < wt.length; i++) {
            wt[i] = (float) rnd.nextGaussian();
        }
        GraphNode node = new GraphNode("conv", "Conv", List.of("x", "w"), List.of("y"), Map.of("group", (long) groups,
                "strides", strides, "dilations", dil, "pads", pads));
        WeightTensor t = new WeightTensor("w", "Conv", "conv", new long[] {o, cg, k, k}, DType.FLOAT, TensorRole.WEIGHT, true,
                0, "initializer", TensorData.ofFloats(wt));
        LayerMatrix lm = LayerMatrix.of(node, t);
        int oh = (h + 1 + 0 - 1 * (k - 1) - 1) / 2 + 1;
        int ow = (w + 2 + 1 - 2 * (k - 1) - 1) / 1 + 1;
        for (int g = 0; g < groups; g++) {
            double[] rows = lm.inputRows(x, new long[] {n, c, h, w}, g);
            double[] m = lm.matrix(wt, g);
            assertEquals(n * oh * ow * lm.cols(), rows.length);
            for (int s = 0; s < n; s++) {
                for (int oc = 0; oc < og; oc++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xo = 0; xo < ow; xo++) {
                            double direct = 0;
                            for (int ci = 0; ci < cg; ci++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = y * 2 - 1 + ky;
                                        int ix = xo - 2 + kx * 2;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            direct += x[((s * c + g * cg + ci) * h + iy) * w + ix]
                                                    * wt[(((g * og + oc) * cg + ci) * k + ky) * k + kx];
                                        }
                                    }
                                }
                            }
                            int row = (s * oh + y) * ow + xo;
                            double viaMatrix = 0;
                            for (int col = 0; col < lm.cols(); col++) {
                                viaMatrix += rows[row * lm.cols() + col] * m[oc * lm.cols() + col];
                            }
                            assertEquals(direct, viaMatrix, 1e-4);
                        }
                    }
                }
            }
        }
    }

    @Test
    void matrixRoundTripsAndColumnsRunOverChannelsAtOneKernelPosition() {
        float[] wt = new float[8 * 3 * 2 * 2];
        for (int i = 0; i < wt.length; i++) {
            wt[i] = i;
        }
        GraphNode node = new GraphNode("conv", "Conv", List.of("x", "w"), List.of("y"), Map.of());
        WeightTensor t = new WeightTensor("w", "Conv", "conv", new long[] {8, 3, 2, 2}, DType.FLOAT, TensorRole.WEIGHT, true,
                0, "initializer", TensorData.ofFloats(wt));
        LayerMatrix lm = LayerMatrix.of(node, t);
        double[] m = lm.matrix(wt, 0);
        // row 1, columns 0..2: channels 0, 1, 2 at kernel position 0 of output 1
        assertEquals(1 * 12 + 0 * 4, m[1 * 12], 0);
        assertEquals(1 * 12 + 1 * 4, m[1 * 12 + 1], 0);
        assertEquals(1 * 12 + 2 * 4 + 0, m[1 * 12 + 2], 0);
        assertEquals(1 * 12 + 0 * 4 + 1, m[1 * 12 + 3], 0);
        float[] back = new float[wt.length];
        lm.write(m, 0, back);
        org.junit.jupiter.api.Assertions.assertArrayEquals(wt, back);
    }
}
