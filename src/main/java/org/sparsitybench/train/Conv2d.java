package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * 2-D convolution with square kernel, stride and zero padding, as one matrix product over unfolded patches:
 * {@code Y[oc, (n,y,x)] = W[oc, (c,i,j)] · col[(c,i,j), (n,y,x)]}. Weights are stored [out, in, k, k], the ONNX
 * layout. A convolution followed by batch norm has no bias (batch norm's shift makes it redundant). The unfolded
 * patches of the last forward pass are kept (in native memory) for the backward pass, so an inference pass must
 * not come between a training forward and its backward.
 */
public final class Conv2d implements TrainableOp {
    private final String name;
    private final int inC;
    private final int outC;
    private final int k;
    private final int stride;
    private final int pad;
    private final Param weight;
    private final Param bias;
    private final Gemm gemm = new Gemm();
    private float[] col = new float[0];
    private float[] dcol = new float[0];
    private INDArray colNative;
    private int inN;
    private int inH;
    private int inW;

    /** He-normal weights (std √(2/(in·k²))) drawn from {@code rng}; zero bias when {@code withBias}. */
    public Conv2d(String name, int inC, int outC, int k, int stride, int pad, boolean withBias, Random rng) {
        this.name = name;
        this.inC = inC;
        this.outC = outC;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        this.weight = new Param(name + ".weight", outC, inC, k, k).gaussian(rng, Math.sqrt(2.0 / (inC * k * k)));
        this.bias = withBias ? new Param(name + ".bias", outC) : null;
    }

    public int outSize(int size) {
        return (size + 2 * pad - k) / stride + 1;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        if (x.channels != inC) {
            throw new IllegalArgumentException(name + " needs " + inC + " channels, got " + x.channels);
        }
        int oh = outSize(x.height);
        int ow = outSize(x.width);
        int cols = x.batch * oh * ow;
        int rows = inC * k * k;
        if (col.length != rows * cols) {
            col = new float[rows * cols];
        }
        inN = x.batch;
        inH = x.height;
        inW = x.width;
        im2col(x.data, oh, ow, col);
        colNative = gemm.upload(Gemm.KEEP, col, rows, cols);
        float[] y = new float[outC * cols];
        gemm.multiply(weight.value, false, colNative, false, y, outC, cols, rows, false);
        if (bias != null) {
            for (int o = 0; o < outC; o++) {
                float b = bias.value[o];
                for (int i = o * cols, end = i + cols; i < end; i++) {
                    y[i] += b;
                }
            }
        }
        return Activations.spatial(y, outC, x.batch, oh, ow);
    }

    @Override
    public Activations backward(Activations g) {
        int cols = g.batch * g.height * g.width;
        int rows = inC * k * k;
        gemm.multiply(g.data, false, colNative, true, weight.grad, outC, rows, cols, true);
        if (bias != null) {
            for (int o = 0; o < outC; o++) {
                double s = 0;
                for (int i = o * cols, end = i + cols; i < end; i++) {
                    s += g.data[i];
                }
                bias.grad[o] += (float) s;
            }
        }
        if (dcol.length != rows * cols) {
            dcol = new float[rows * cols];
        }
        gemm.multiply(weight.value, true, g.data, false, dcol, rows, cols, outC, false);
        return Activations.spatial(col2im(dcol, g.height, g.width), inC, inN, inH, inW);
    }

    /** Unfolds patches: row (c, i, j), column (n, y, x) holds x[c, n, y·s − p + i, x·s − p + j] or 0 outside. */
    private void im2col(float[] src, int oh, int ow, float[] out) {
        int n = inN;
        int h = inH;
        int w = inW;
        int cols = n * oh * ow;
        boolean same = samePlane();
        Parallel.forEach(inC, c -> {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int row = ((c * k + i) * k + j) * cols;
                    if (same) {
                        shiftedCopy(src, c * cols, out, row, cols, (i - pad) * w + (j - pad));
                        zeroBorders(out, row, n, h, w, i - pad, j - pad);
                        continue;
                    }
                    // Output columns whose input column ox·s − p + j lies inside the image.
                    int x0 = Math.max(0, ceilDiv(pad - j, stride));
                    int x1 = Math.min(ow, ceilDiv(w + pad - j, stride));
                    for (int b = 0; b < n; b++) {
                        int plane = (c * n + b) * h * w;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * stride - pad + i;
                            int dst = row + (b * oh + oy) * ow;
                            if (iy < 0 || iy >= h || x0 >= x1) {
                                Arrays.fill(out, dst, dst + ow, 0f);
                                continue;
                            }
                            Arrays.fill(out, dst, dst + x0, 0f);
                            int s0 = plane + iy * w - pad + j;
                            if (stride == 1) {
                                System.arraycopy(src, s0 + x0, out, dst + x0, x1 - x0);
                            } else {
                                for (int ox = x0; ox < x1; ox++) {
                                    out[dst + ox] = src[s0 + ox * stride];
                                }
                            }
                            Arrays.fill(out, dst + x1, dst + ow, 0f);
                        }
                    }
                }
            }
        });
    }

    /**
     * Stride 1 with "same" padding keeps the plane size, so a patch row is the whole channel shifted by
     * {@code (i − p)·W + (j − p)} with the positions that fall outside the image zeroed: one long copy per row.
     */
    private boolean samePlane() {
        return stride == 1 && 2 * pad == k - 1;
    }

    /** {@code dst[d + t] = src[s + t + delta]} where that index lies in the block, else 0, for 0 ≤ t < len. */
    private static void shiftedCopy(float[] src, int s, float[] dst, int d, int len, int delta) {
        int from = Math.max(0, -delta);
        int to = Math.min(len, len - delta);
        Arrays.fill(dst, d, d + from, 0f);
        System.arraycopy(src, s + from + delta, dst, d + from, to - from);
        Arrays.fill(dst, d + to, d + len, 0f);
    }

    /**
     * Zeroes the entries of one patch row, laid out (n, h, w), whose source pixel (y + di, x + dj) lies outside
     * the h×w image.
     */
    private static void zeroBorders(float[] a, int row, int n, int h, int w, int di, int dj) {
        int x0 = Math.max(0, -dj);
        int x1 = Math.min(w, w - dj);
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                int r = row + (b * h + y) * w;
                if (y + di < 0 || y + di >= h) {
                    Arrays.fill(a, r, r + w, 0f);
                } else {
                    Arrays.fill(a, r, r + x0, 0f);
                    Arrays.fill(a, r + x1, r + w, 0f);
                }
            }
        }
    }

    /**
     * Folds patch gradients back onto the input positions they came from (the adjoint of im2col).
     *
     * @param dc patch gradients (modified: entries of padding positions are zeroed)
     */
    private float[] col2im(float[] dc, int oh, int ow) {
        int n = inN;
        int h = inH;
        int w = inW;
        int cols = n * oh * ow;
        float[] dx = new float[inC * n * h * w];
        boolean same = samePlane();
        Parallel.forEach(inC, c -> {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int row = ((c * k + i) * k + j) * cols;
                    if (same) {
                        // Gradients of padding positions are dropped; the rest is one shifted sum (dc is scratch).
                        zeroBorders(dc, row, n, h, w, i - pad, j - pad);
                        int delta = (i - pad) * w + (j - pad);
                        int from = Math.max(0, -delta);
                        int to = Math.min(cols, cols - delta);
                        int d = c * cols + delta;
                        for (int t = from; t < to; t++) {
                            dx[d + t] += dc[row + t];
                        }
                        continue;
                    }
                    int x0 = Math.max(0, ceilDiv(pad - j, stride));
                    int x1 = Math.min(ow, ceilDiv(w + pad - j, stride));
                    for (int b = 0; b < n; b++) {
                        int plane = (c * n + b) * h * w;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * stride - pad + i;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int srcRow = row + (b * oh + oy) * ow;
                            int d0 = plane + iy * w - pad + j;
                            if (stride == 1) {
                                for (int ox = x0; ox < x1; ox++) {
                                    dx[d0 + ox] += dc[srcRow + ox];
                                }
                            } else {
                                for (int ox = x0; ox < x1; ox++) {
                                    dx[d0 + ox * stride] += dc[srcRow + ox];
                                }
                            }
                        }
                    }
                }
            }
        });
        return dx;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public List<Param> params() {
        List<Param> ps = new ArrayList<>(List.of(weight));
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        String[] inputs = bias == null ? new String[] {x, onnx.initializer(weight)}
                : new String[] {x, onnx.initializer(weight), onnx.initializer(bias)};
        return onnx.node(name, "Conv", OnnxExport.outputName(output, name + ".out"), inputs,
                OnnxModelBuilder.attrInts("kernel_shape", k, k), OnnxModelBuilder.attrInts("strides", stride, stride),
                OnnxModelBuilder.attrInts("pads", pad, pad, pad, pad));
    }
}
