package org.sparsitybench.train;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Max or average pooling over kh×kw windows with strides and zero padding (ONNX MaxPool / AveragePool, floor
 * rounding, no dilation; see {@link Window2d}). A max window ignores padding and passes its gradient to the first
 * of its largest inputs; an average divides by the window's positions inside the image, or by kh·kw with
 * {@code countIncludePad}. A window lying wholly in padding gives 0.
 *
 * <p>A max pooling may take the ReLU before it in ({@code reluFirst}): {@code max(relu(a), relu(b), …) =
 * relu(max(a, b, …))}, so it clamps its output at 0 and passes no gradient where the clamp acted, which is the
 * ReLU's gradient at the chosen input (the first largest, as before: ReLU keeps the order of positive values, and
 * where all are ≤ 0 both give 0). One pass over a quarter of the values replaces a ReLU's pass over all of them
 * forward and backward, with the same outputs and gradients to the bit.
 *
 * <p>A 2×2 max pooling may also take in the training-mode normalisation of the batch norm before it
 * ({@link #normaliseFirst}), so that the full-size normalised maps and their gradient are never written.
 */
public class Pool2d implements TrainableOp {
    private final String name;
    private final boolean max;
    private final Window2d win;
    private final boolean countIncludePad;
    private final boolean reluFirst;
    /** Slots: the training output and the input gradient (floats); the training and inference argmax (ints). */
    private final StepArrays arrays = new StepArrays(2);
    private int[] argmax;
    /** The training forward's positions within 2×2 windows ({@link #maxPairs}), and the array kept for them. */
    private byte[] pairArg;
    private byte[] pairs;
    /** The batch norm whose training normalisation this pooling does ({@link #normaliseFirst}), or null. */
    private BatchNorm norm;
    /** The last training forward normalised its input with {@link #norm}. */
    private boolean normalised;
    private int inH;
    private int inW;

    /**
     * @param kernel  {kh, kw}
     * @param strides {sh, sw}
     * @param pads    {top, left, bottom, right}
     */
    public Pool2d(boolean max, int[] kernel, int[] strides, int[] pads, boolean countIncludePad) {
        this(max, kernel, strides, pads, countIncludePad, false);
    }

    /** @param reluFirst a max pooling that applies ReLU to its input first (see the class comment) */
    public Pool2d(boolean max, int[] kernel, int[] strides, int[] pads, boolean countIncludePad, boolean reluFirst) {
        this(max ? "MaxPool" : "AveragePool", max, Window2d.of(kernel, strides, pads, new int[] {1, 1}),
                countIncludePad, reluFirst);
    }

    /** @param name the node's name in an export */
    public Pool2d(String name, boolean max, Window2d window, boolean countIncludePad) {
        this(name, max, window, countIncludePad, false);
    }

    private Pool2d(String name, boolean max, Window2d window, boolean countIncludePad, boolean reluFirst) {
        if (window.dh() != 1 || window.dw() != 1) {
            throw new IllegalArgumentException(name + ": dilated pooling");
        }
        if (reluFirst && !max) {
            throw new IllegalArgumentException(name + ": ReLU does not commute with average pooling");
        }
        this.name = name;
        this.max = max;
        this.win = window;
        this.countIncludePad = countIncludePad;
        this.reluFirst = reluFirst;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        int h = x.height;
        int w = x.width;
        int oh = win.outHeight(h);
        int ow = win.outWidth(w);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(name + ": a " + h + "×" + w + " input gives no output");
        }
        int planes = x.channels * x.batch;
        float[] y = training ? arrays.floats(0, planes * oh * ow) : new float[planes * oh * ow];
        // Inference has an argmax array of its own: one between a training forward and its backward keeps the
        // training one intact.
        int[] arg = max && !win.isPair() ? arrays.ints(training ? 0 : 1, y.length) : null;
        if (max && win.isPair()) {
            byte[] pos = training ? pairs(y.length) : new byte[y.length];
            // The batch norm before hands over its normalisation in training (see normaliseFirst).
            BatchNorm bn = training && norm != null && norm.deferred() ? norm : null;
            Parallel.forEach(planes, p -> maxPairs(x.data, p, h, w, y, pos, reluFirst,
                    bn == null ? null : bn.normalisation(p / x.batch)));
            pairArg = training ? pos : null;
            if (training) {
                normalised = bn != null;
            }
        } else {
            Parallel.forEach(planes, p -> {
                int[] b = new int[4];
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        window(x.data, p, h, w, oy, ox, y, arg, p * oh * ow + oy * ow + ox, b);
                    }
                }
            });
        }
        argmax = training ? arg : null;
        inH = h;
        inW = w;
        return Activations.spatial(y, x.channels, x.batch, oh, ow);
    }

    /** Position code of a 2×2 window whose output was clamped at 0 (no input gets a gradient). */
    static final int NONE = 4;

    /** A window's gradient {@code g} if it has a chosen position {@code k}, 0 when k is {@link #NONE}. */
    static float gradientAt(float g, int k) {
        // All ones unless k is NONE (4).
        int keep = ((k ^ NONE) - 1) >> 31 ^ -1;
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & keep);
    }

    /**
     * Plane {@code p} of 2×2 max pooling without branches on the data (which of four inputs is largest is a coin
     * toss the processor cannot predict; the JIT made some conditional expressions branches, which cost twice the
     * whole loop): {@code [y > x]} is the sign bit of {@code x − y}, ties go to the earlier input. The position is
     * stored as a byte, 2·dy + dx within the window, a quarter of the memory of an index. With {@code relu}, an
     * output ≤ 0 becomes 0 with position {@link #NONE}.
     */
    private static void maxPairs(float[] v, int p, int h, int w, float[] y, byte[] arg, boolean relu,
                                 float[] norm) {
        boolean normalise = norm != null;
        float gm = normalise ? norm[0] : 1f;
        float mu = normalise ? norm[1] : 0f;
        float is = normalise ? norm[2] : 1f;
        float be = normalise ? norm[3] : 0f;
        int oh = h / 2;
        int ow = w / 2;
        int in = p * h * w;
        int out = p * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
            int r = in + 2 * oy * w;
            int o = out + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int i0 = r + 2 * ox;
                float a = v[i0];
                float b = v[i0 + 1];
                float c = v[i0 + w];
                float d = v[i0 + w + 1];
                if (normalise) {
                    a = gm * ((a - mu) * is) + be;
                    b = gm * ((b - mu) * is) + be;
                    c = gm * ((c - mu) * is) + be;
                    d = gm * ((d - mu) * is) + be;
                }
                float top = Math.max(a, b);
                float bottom = Math.max(c, d);
                int kt = Float.floatToRawIntBits(a - b) >>> 31;
                int kb = 2 + (Float.floatToRawIntBits(c - d) >>> 31);
                int lower = Float.floatToRawIntBits(top - bottom) >> 31;
                int k = kt ^ ((kt ^ kb) & lower);
                float m = Math.max(top, bottom);
                if (relu) {
                    // All ones when the maximum is above 0 (a positive float's bits are a positive int), else 0.
                    int on = -Float.floatToRawIntBits(m) >> 31;
                    y[o + ox] = Math.max(m, 0f);
                    arg[o + ox] = (byte) (k & on | NONE & ~on);
                } else {
                    y[o + ox] = m;
                    arg[o + ox] = (byte) k;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #maxPairs} on plane {@code p}: the plane is cleared, then each window's gradient is
     * stored at its chosen input, found from a table of offsets without a branch; a window without one
     * ({@link #NONE}) stores 0 at its first input.
     */
    private static void unpoolPairs(float[] g, int p, int h, int w, byte[] arg, float[] dx) {
        int oh = h / 2;
        int ow = w / 2;
        int in = p * h * w;
        int out = p * oh * ow;
        int[] offset = {0, 1, w, w + 1, 0};
        java.util.Arrays.fill(dx, in, in + h * w, 0f);
        for (int oy = 0; oy < oh; oy++) {
            int r = in + 2 * oy * w;
            int o = out + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int k = arg[o + ox];
                dx[r + 2 * ox + offset[k]] = gradientAt(g[o + ox], k);
            }
        }
    }

    /**
     * The part of output (oy, ox)'s window inside an h×w image: {@code b = {ya, yb, xa, xb}} (rows ya..yb−1,
     * columns xa..xb−1; modified).
     *
     * @return false when the window lies wholly in the padding
     */
    private boolean inside(int oy, int ox, int h, int w, int[] b) {
        int y0 = win.inRow(oy, 0);
        int x0 = ox * win.sw() + win.colOffset(0);
        b[0] = Math.max(0, y0);
        b[1] = Math.min(h, y0 + win.kh());
        b[2] = Math.max(0, x0);
        b[3] = Math.min(w, x0 + win.kw());
        return b[0] < b[1] && b[2] < b[3];
    }

    /** An average window's divisor. */
    private int divisor(int[] b) {
        return countIncludePad ? win.kh() * win.kw() : (b[1] - b[0]) * (b[3] - b[2]);
    }

    /** Output {@code o} at (oy, ox) of plane {@code p}: its window's maximum (with its index) or mean. */
    private void window(float[] v, int p, int h, int w, int oy, int ox, float[] y, int[] arg, int o, int[] b) {
        int in = p * h * w;
        if (!inside(oy, ox, h, w, b)) {
            y[o] = 0f;
            if (arg != null) {
                arg[o] = -1;
            }
            return;
        }
        if (max) {
            int best = in + b[0] * w + b[2];
            for (int iy = b[0]; iy < b[1]; iy++) {
                for (int ix = b[2]; ix < b[3]; ix++) {
                    if (v[in + iy * w + ix] > v[best]) {
                        best = in + iy * w + ix;
                    }
                }
            }
            boolean clamped = reluFirst && !(v[best] > 0f);
            y[o] = clamped ? 0f : v[best];
            arg[o] = clamped ? -1 : best;
            return;
        }
        double s = 0;
        for (int iy = b[0]; iy < b[1]; iy++) {
            for (int ix = b[2]; ix < b[3]; ix++) {
                s += v[in + iy * w + ix];
            }
        }
        y[o] = (float) (s / divisor(b));
    }

    /**
     * Makes this 2×2 max pooling do the training-mode normalisation of {@code bn}, the batch norm whose output it
     * alone reads ({@link BatchNorm#deferToPool}): its forward normalises each window's four inputs as it reads
     * them, its backward returns the gradient with respect to the batch norm's input. Outputs are the same to the
     * bit; the gradients differ from the separate passes' by float rounding (sums in another order).
     */
    public void normaliseFirst(BatchNorm bn) {
        if (!isPairMax()) {
            throw new IllegalArgumentException(name + ": only 2×2 max pooling takes a batch norm in");
        }
        norm = bn;
        bn.deferToPool();
    }

    /** Max pooling over non-overlapping 2×2 windows: the one that can take a batch norm in. */
    public boolean isPairMax() {
        return max && win.isPair();
    }

    /** The training array of {@code n} window positions, kept from one step to the next. */
    private byte[] pairs(int n) {
        if (pairs == null || pairs.length != n) {
            pairs = new byte[n];
        }
        return pairs;
    }

    @Override
    public Activations backward(Activations g) {
        int h = inH;
        int w = inW;
        int oh = g.height;
        int ow = g.width;
        int planes = g.channels * g.batch;
        if (max && win.isPair()) {
            // Every input is written: no clearing first.
            float[] dx = arrays.floats(1, planes * h * w);
            byte[] pos = pairArg;
            if (normalised) {
                norm.backwardPairs(g.data, pos, g.batch, h, w, dx);
            } else {
                Parallel.forEach(planes, p -> unpoolPairs(g.data, p, h, w, pos, dx));
            }
            pairArg = null;
            normalised = false;
            return Activations.spatial(dx, g.channels, g.batch, h, w);
        }
        float[] dx = arrays.zeros(1, planes * h * w);
        if (max) {
            int[] arg = argmax;
            for (int o = 0; o < g.data.length; o++) {
                if (arg[o] >= 0) {
                    dx[arg[o]] += g.data[o];
                }
            }
            argmax = null;
            return Activations.spatial(dx, g.channels, g.batch, h, w);
        }
        // The adjoint of the mean: each output's gradient spread evenly over its window.
        Parallel.forEach(planes, p -> {
            int[] b = new int[4];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    if (!inside(oy, ox, h, w, b)) {
                        continue;
                    }
                    float gv = g.data[p * oh * ow + oy * ow + ox] / divisor(b);
                    for (int iy = b[0]; iy < b[1]; iy++) {
                        int r = p * h * w + iy * w;
                        for (int ix = b[2]; ix < b[3]; ix++) {
                            dx[r + ix] += gv;
                        }
                    }
                }
            }
        });
        return Activations.spatial(dx, g.channels, g.batch, h, w);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        if (reluFirst) {
            x = onnx.node(name + ".relu", "Relu", name + ".relu.out", new String[] {x});
        }
        List<AttributeProto> attrs = new ArrayList<>(List.of(OnnxModelBuilder.attrInts("kernel_shape", win.kernel()),
                OnnxModelBuilder.attrInts("strides", win.strides())));
        if (win.pt() + win.pl() + win.pb() + win.pr() != 0) {
            attrs.add(OnnxModelBuilder.attrInts("pads", win.pads()));
        }
        if (!max && countIncludePad) {
            attrs.add(OnnxModelBuilder.attrInt("count_include_pad", 1));
        }
        return onnx.node(name, max ? "MaxPool" : "AveragePool", OnnxExport.outputName(output, name + ".out"),
                new String[] {x}, attrs.toArray(new AttributeProto[0]));
    }

    @Override
    public String toString() {
        return (reluFirst ? "ReLU, MaxPool " : max ? "MaxPool " : "AveragePool ") + win;
    }
}
