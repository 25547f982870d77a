package org.sparsitybench.train;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * 2-D convolution as ONNX defines it (kernel kh×kw, strides, pads top/left/bottom/right, dilations, groups), as
 * one matrix product per group over unfolded patches: {@code Y[oc, (n,y,x)] = W[oc, (c,i,j)] · col[(c,i,j),
 * (n,y,x)]}, where patch row (c, i, j) at column (n, y, x) holds {@code x[c, n, y·sh − pt + i·dh, x·sw − pl +
 * j·dw]} or 0 outside the image. Weights are stored [out, in/groups, kh, kw], the ONNX layout. A depthwise
 * convolution is groups = in = out. The unfolded patches of the last forward pass are kept for the backward
 * pass, so an inference pass must not come between a training forward and its backward.
 */
public final class Conv2d implements TrainableOp {
    private final String name;
    private final int inC;
    private final int outC;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int pt;
    private final int pl;
    private final int pb;
    private final int pr;
    private final int dh;
    private final int dw;
    private final int groups;
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
        this(name, new Param(name + ".weight", outC, inC, k, k).gaussian(rng, Math.sqrt(2.0 / (inC * k * k))),
                withBias ? new Param(name + ".bias", outC) : null, new int[] {stride, stride},
                new int[] {pad, pad, pad, pad}, new int[] {1, 1}, 1);
    }

    /**
     * A convolution over given parameters (a graph's initializers).
     *
     * @param weight    [out, in/groups, kh, kw] (kept, trained in place)
     * @param bias      [out] or null
     * @param strides   {sh, sw}
     * @param pads      {top, left, bottom, right}
     * @param dilations {dh, dw}
     * @param groups    input and output channels are split into this many independent groups
     */
    public Conv2d(String name, Param weight, Param bias, int[] strides, int[] pads, int[] dilations, int groups) {
        if (weight.shape.length != 4) {
            throw new IllegalArgumentException(name + ": weight " + Arrays.toString(weight.shape) + " is not 4-D");
        }
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.groups = groups;
        this.outC = (int) weight.shape[0];
        this.inC = (int) weight.shape[1] * groups;
        this.kh = (int) weight.shape[2];
        this.kw = (int) weight.shape[3];
        this.sh = strides[0];
        this.sw = strides[1];
        this.pt = pads[0];
        this.pl = pads[1];
        this.pb = pads[2];
        this.pr = pads[3];
        this.dh = dilations[0];
        this.dw = dilations[1];
        if (outC % groups != 0 || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
            throw new IllegalArgumentException(name + ": " + outC + " outputs in " + groups + " groups, strides "
                    + sh + "," + sw + ", dilations " + dh + "," + dw);
        }
    }

    int outHeight(int h) {
        return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
    }

    int outWidth(int w) {
        return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        if (x.channels != inC) {
            throw new IllegalArgumentException(name + " needs " + inC + " channels, got " + x.channels);
        }
        int oh = outHeight(x.height);
        int ow = outWidth(x.width);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(name + ": a " + x.height + "×" + x.width + " input gives no output");
        }
        int cols = x.batch * oh * ow;
        int rows = inC * kh * kw;
        if (col.length != rows * cols) {
            col = new float[rows * cols];
        }
        inN = x.batch;
        inH = x.height;
        inW = x.width;
        im2col(x.data, oh, ow, col);
        float[] y = new float[outC * cols];
        if (groups == 1) {
            colNative = gemm.upload(Gemm.KEEP, col, rows, cols);
            gemm.multiply(weight.value, false, colNative, false, y, outC, cols, rows, false);
        } else {
            colNative = null;
            int rg = rows / groups;
            int og = outC / groups;
            float[] part = new float[og * cols];
            for (int g = 0; g < groups; g++) {
                gemm.multiply(Arrays.copyOfRange(weight.value, g * og * rg, (g + 1) * og * rg), false,
                        Arrays.copyOfRange(col, g * rg * cols, (g + 1) * rg * cols), false, part, og, cols, rg, false);
                System.arraycopy(part, 0, y, g * og * cols, og * cols);
            }
        }
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
        int rows = inC * kh * kw;
        if (dcol.length != rows * cols) {
            dcol = new float[rows * cols];
        }
        if (groups == 1) {
            gemm.multiply(g.data, false, colNative, true, weight.grad, outC, rows, cols, true);
            gemm.multiply(weight.value, true, g.data, false, dcol, rows, cols, outC, false);
        } else {
            int rg = rows / groups;
            int og = outC / groups;
            float[] dw = new float[og * rg];
            float[] dc = new float[rg * cols];
            for (int q = 0; q < groups; q++) {
                float[] gq = Arrays.copyOfRange(g.data, q * og * cols, (q + 1) * og * cols);
                gemm.multiply(gq, false, Arrays.copyOfRange(col, q * rg * cols, (q + 1) * rg * cols), true, dw, og,
                        rg, cols, false);
                for (int i = 0; i < dw.length; i++) {
                    weight.grad[q * og * rg + i] += dw[i];
                }
                gemm.multiply(Arrays.copyOfRange(weight.value, q * og * rg, (q + 1) * og * rg), true, gq, false, dc,
                        rg, cols, og, false);
                System.arraycopy(dc, 0, dcol, q * rg * cols, rg * cols);
            }
        }
        if (bias != null) {
            for (int o = 0; o < outC; o++) {
                double s = 0;
                for (int i = o * cols, end = i + cols; i < end; i++) {
                    s += g.data[i];
                }
                bias.grad[o] += (float) s;
            }
        }
        return Activations.spatial(col2im(dcol, g.height, g.width), inC, inN, inH, inW);
    }

    /**
     * Stride 1 and dilation 1 with pads that keep the plane size: a patch row is the whole channel shifted by
     * {@code (i − pt)·W + (j − pl)} with the positions that fall outside the image zeroed: one long copy per row.
     */
    private boolean samePlane() {
        return sh == 1 && sw == 1 && dh == 1 && dw == 1 && pt + pb == kh - 1 && pl + pr == kw - 1;
    }

    /** Unfolds patches (see the class comment). */
    private void im2col(float[] src, int oh, int ow, float[] out) {
        int n = inN;
        int h = inH;
        int w = inW;
        int cols = n * oh * ow;
        boolean same = samePlane();
        Parallel.forEach(inC, c -> {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = ((c * kh + i) * kw + j) * cols;
                    if (same) {
                        shiftedCopy(src, c * cols, out, row, cols, (i - pt) * w + (j - pl));
                        zeroBorders(out, row, n, h, w, i - pt, j - pl);
                        continue;
                    }
                    int off = j * dw - pl;
                    // Output columns whose input column ox·sw + off lies inside the image.
                    int x0 = Math.max(0, ceilDiv(-off, sw));
                    int x1 = Math.min(ow, ceilDiv(w - off, sw));
                    for (int b = 0; b < n; b++) {
                        int plane = (c * n + b) * h * w;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * sh - pt + i * dh;
                            int dst = row + (b * oh + oy) * ow;
                            if (iy < 0 || iy >= h || x0 >= x1) {
                                Arrays.fill(out, dst, dst + ow, 0f);
                                continue;
                            }
                            Arrays.fill(out, dst, dst + x0, 0f);
                            int s0 = plane + iy * w + off;
                            if (sw == 1) {
                                System.arraycopy(src, s0 + x0, out, dst + x0, x1 - x0);
                            } else {
                                for (int ox = x0; ox < x1; ox++) {
                                    out[dst + ox] = src[s0 + ox * sw];
                                }
                            }
                            Arrays.fill(out, dst + x1, dst + ow, 0f);
                        }
                    }
                }
            }
        });
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
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int row = ((c * kh + i) * kw + j) * cols;
                    if (same) {
                        // Gradients of padding positions are dropped; the rest is one shifted sum (dc is scratch).
                        zeroBorders(dc, row, n, h, w, i - pt, j - pl);
                        int delta = (i - pt) * w + (j - pl);
                        int from = Math.max(0, -delta);
                        int to = Math.min(cols, cols - delta);
                        int d = c * cols + delta;
                        for (int t = from; t < to; t++) {
                            dx[d + t] += dc[row + t];
                        }
                        continue;
                    }
                    int off = j * dw - pl;
                    int x0 = Math.max(0, ceilDiv(-off, sw));
                    int x1 = Math.min(ow, ceilDiv(w - off, sw));
                    for (int b = 0; b < n; b++) {
                        int plane = (c * n + b) * h * w;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * sh - pt + i * dh;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int srcRow = row + (b * oh + oy) * ow;
                            int d0 = plane + iy * w + off;
                            for (int ox = x0; ox < x1; ox++) {
                                dx[d0 + ox * sw] += dc[srcRow + ox];
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
        List<AttributeProto> attrs = new ArrayList<>(List.of(OnnxModelBuilder.attrInts("kernel_shape", kh, kw),
                OnnxModelBuilder.attrInts("strides", sh, sw), OnnxModelBuilder.attrInts("pads", pt, pl, pb, pr)));
        if (dh != 1 || dw != 1) {
            attrs.add(OnnxModelBuilder.attrInts("dilations", dh, dw));
        }
        if (groups != 1) {
            attrs.add(OnnxModelBuilder.attrInt("group", groups));
        }
        return onnx.node(name, "Conv", OnnxExport.outputName(output, name + ".out"), inputs,
                attrs.toArray(new AttributeProto[0]));
    }
}
