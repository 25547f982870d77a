package org.sparsitybench.train;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * 2-D convolution as ONNX defines it (kernel kh×kw, strides, pads top/left/bottom/right, dilations, groups), as
 * matrix products over unfolded patches: {@code Y[oc, (n,y,x)] = W[oc, (c,i,j)] · col[(c,i,j), (n,y,x)]}, where
 * patch row (c, i, j) at column (n, y, x) holds {@code x[c, n, y·sh − pt + i·dh, x·sw − pl + j·dw]} or 0 outside
 * the image ({@link Window2d}). Weights are stored [out, in/groups, kh, kw], the ONNX layout; a group's channels,
 * patch rows, weights and outputs are each one contiguous block. A depthwise convolution is groups = in = out.
 *
 * <p>The batch is cut into chunks of a few samples whose patches fit in the processor's cache (about
 * {@link #CHUNK_FLOATS} values): a chunk is unfolded and multiplied while it is in cache, which on a thin
 * product such as a first layer's (six filters of 25 taps) is most of the time. Chunks run in parallel, each on
 * scratch buffers of its own (in order instead when OpenBLAS is multi-threaded, see
 * {@link Parallel#forEachCallingBlas}). The backward pass computes {@code dWᵀ = col·dYᵀ} per chunk, overwrites the
 * patches with {@code dcol = Wᵀ·dY} and folds that back onto the input (col2im). A stride-1 convolution unfolds
 * wide rows ({@link #unfoldWide}: long copies, some discarded columns) and unfolds them again in the backward
 * pass, while they are in cache, from the padded input it keeps; a strided one keeps its chunks' patches in native
 * memory for the backward pass. Either way each training forward is followed by one backward (an inference pass
 * in between does not disturb it). A chunk's weight gradient is its own product and the chunks' are summed in
 * chunk order, so the result does not depend on the number of threads.
 */
public final class Conv2d implements TrainableOp {
    /** Patch values per chunk: 128 K floats (512 KB) stays within a core's L2 cache alongside the operands. */
    static final int CHUNK_FLOATS = 1 << 17;
    private static final int PATCHES = 0;
    private static final int OUT = 1;
    private static final int GRAD_OUT = 2;
    private static final int GRAD_WEIGHT = 3;
    private static final int FOLD = 4;
    /** Zeros for the end of a wide patch run that reaches past its plane ({@link #unfoldWide}). */
    private static final float[] ZEROS = new float[64];

    private final String name;
    private final int inC;
    private final int outC;
    private final int groups;
    private final Window2d win;
    private final Param weight;
    private final Param bias;
    /** The weights in native memory, uploaded once per pass and only read by the chunks. */
    private final Gemm weights = new Gemm();
    /** Per-chunk native buffers, taken by one chunk at a time. */
    private final Deque<Gemm> workspaces = new ConcurrentLinkedDeque<>();
    /** The training passes' patches, one matrix per chunk and group (slot chunk·groups + group). */
    private final Gemm kept = new Gemm();
    private Gemm.Matrix[] patches;
    /** The training pass's padded input when it unfolded wide rows, which the backward pass unfolds again. */
    private float[] wideInput;
    /** Slots: the training output, the input gradient, the padded input and its gradient (wide rows). */
    private final StepArrays arrays = new StepArrays(4);
    private boolean inputGradient = true;
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
        if (groups < 1 || outC % groups != 0) {
            throw new IllegalArgumentException(name + ": " + outC + " outputs in " + groups + " groups");
        }
        try {
            this.win = Window2d.of(new int[] {(int) weight.shape[2], (int) weight.shape[3]}, strides, pads, dilations);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops {@link #backward} computing the input's gradient (it then returns null): the first layer of a network
     * reads the data, whose gradient nobody needs, and folding it back is a third of the layer's backward work.
     */
    @Override
    public void skipInputGradient() {
        inputGradient = false;
    }

    /** Patch rows per group: (in/groups)·kh·kw. */
    private int groupRows() {
        return inC / groups * win.kh() * win.kw();
    }

    /** Samples per chunk: as many as keep one group's patches near {@link #CHUNK_FLOATS} values, at least one. */
    private int chunkSamples(int n, int sampleCols) {
        return Math.max(1, Math.min(n, CHUNK_FLOATS / Math.max(1, groupRows() * sampleCols)));
    }

    /**
     * Whether this convolution unfolds into wide rows (see {@link #unfoldWide}): stride 1 in both directions, and
     * the padded width at most 1.5 times the output's, so that the discarded columns cost at most half the product.
     */
    private boolean wide(int w) {
        int wp = w + win.pl() + win.pr();
        int ow = win.outWidth(w);
        return win.sh() == 1 && win.sw() == 1 && 2 * wp <= 3 * ow;
    }

    /** Patch columns per sample: oh·ow, or oh·wp (the padded width) in wide rows. */
    private int sampleCols(boolean wide, int oh, int ow, int w) {
        return oh * (wide ? w + win.pl() + win.pr() : ow);
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        if (x.channels != inC) {
            throw new IllegalArgumentException(name + " needs " + inC + " channels, got " + x.channels);
        }
        int oh = win.outHeight(x.height);
        int ow = win.outWidth(x.width);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(name + ": a " + x.height + "×" + x.width + " input gives no output");
        }
        int n = x.batch;
        int plane = oh * ow;
        int cols = n * plane;
        int rg = groupRows();
        int og = outC / groups;
        inN = n;
        inH = x.height;
        inW = x.width;
        boolean wide = wide(inW);
        int sc = sampleCols(wide, oh, ow, inW);
        float[] src = wide ? padded(x.data, training) : x.data;
        Gemm.Matrix[] w = uploadWeights();
        float[] y = training ? arrays.floats(0, outC * cols) : new float[outC * cols];
        int per = chunkSamples(n, sc);
        int chunks = (n + per - 1) / per;
        // Allocated (or found) here, before the threads start: the cache of native matrices is not thread-safe.
        Gemm.Matrix[] keep = new Gemm.Matrix[training && !wide ? chunks * groups : 0];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = kept.matrix(i, rg, Math.min(per, n - i / groups * per) * sc);
        }
        Parallel.forEachCallingBlas(chunks, k -> {
            int b0 = k * per;
            int ns = Math.min(per, n - b0);
            int cc = ns * sc;
            Gemm gm = take();
            Gemm.Matrix out = gm.matrix(OUT, og, cc);
            float[] rows = gm.scratch(OUT, og * cc);
            for (int g = 0; g < groups; g++) {
                Gemm.Matrix col = training && !wide ? keep[k * groups + g] : gm.matrix(PATCHES, rg, cc);
                if (wide) {
                    unfoldWide(src, g, b0, ns, oh, col);
                } else {
                    unfold(gm, src, g, b0, cc, oh, ow, col);
                }
                Gemm.product(w[g], false, col, false, out, false);
                out.get(rows, 0);
                for (int o = 0; o < og; o++) {
                    int at = (g * og + o) * cols + b0 * plane;
                    if (wide) {
                        // Only the first ow of each wp-wide row are outputs; the rest straddled the right edge.
                        int wp = sc / oh;
                        for (int r = 0; r < ns * oh; r++) {
                            System.arraycopy(rows, o * cc + r * wp, y, at + r * ow, ow);
                        }
                    } else {
                        System.arraycopy(rows, o * cc, y, at, cc);
                    }
                }
            }
            workspaces.push(gm);
        });
        if (bias != null) {
            Parallel.forEach(outC, o -> {
                float b = bias.value[o];
                for (int i = o * cols, end = i + cols; i < end; i++) {
                    y[i] += b;
                }
            });
        }
        patches = training ? keep : null;
        wideInput = training && wide ? src : null;
        return Activations.spatial(y, outC, n, oh, ow);
    }

    @Override
    public Activations backward(Activations g) {
        int n = inN;
        int oh = g.height;
        int ow = g.width;
        int plane = oh * ow;
        int cols = n * plane;
        int rg = groupRows();
        int og = outC / groups;
        boolean wide = wide(inW);
        int sc = sampleCols(wide, oh, ow, inW);
        int wp = inW + win.pl() + win.pr();
        int hp = inH + win.pt() + win.pb();
        boolean pad = wp != inW || hp != inH;
        Gemm.Matrix[] saved = patches;
        float[] src = wideInput;
        patches = null;
        wideInput = null;
        Gemm.Matrix[] w = uploadWeights();
        int per = chunkSamples(n, sc);
        int chunks = (n + per - 1) / per;
        float[][] dws = new float[chunks][outC * rg];
        // Cleared: fold adds each patch gradient into it. Wide rows fold onto the padded input, cropped after.
        float[] dx = inputGradient ? arrays.zeros(1, inC * n * inH * inW) : null;
        float[] dxp = dx == null || !wide ? dx : pad ? arrays.zeros(3, inC * n * hp * wp) : dx;
        Parallel.forEachCallingBlas(chunks, k -> {
            int b0 = k * per;
            int ns = Math.min(per, n - b0);
            int cc = ns * sc;
            Gemm gm = take();
            float[] rows = gm.scratch(GRAD_OUT, og * cc);
            for (int q = 0; q < groups; q++) {
                for (int o = 0; o < og; o++) {
                    int at = (q * og + o) * cols + b0 * plane;
                    if (wide) {
                        // The columns past ow get gradient 0: they are no outputs.
                        for (int r = 0; r < ns * oh; r++) {
                            int d = o * cc + r * wp;
                            System.arraycopy(g.data, at + r * ow, rows, d, ow);
                            Arrays.fill(rows, d + ow, d + wp, 0f);
                        }
                    } else {
                        System.arraycopy(g.data, at, rows, o * cc, cc);
                    }
                }
                Gemm.Matrix gq = gm.upload(GRAD_OUT, rows, 0, og, cc);
                Gemm.Matrix col = wide ? gm.matrix(PATCHES, rg, cc) : saved[k * groups + q];
                if (wide) {
                    unfoldWide(src, q, b0, ns, oh, col);
                }
                // dWᵀ = col·dYᵀ: the same product as dY·colᵀ, and a quarter faster in OpenBLAS for these shapes.
                Gemm.Matrix dwt = gm.matrix(GRAD_WEIGHT, rg, og);
                Gemm.product(col, false, gq, true, dwt, false);
                dwt.get(dws[k], q * og * rg);
                if (dxp != null) {
                    // The chunk's patches are used up: their buffer receives the patch gradients Wᵀ·dY.
                    Gemm.product(w[q], true, gq, false, col, false);
                    if (wide) {
                        foldWide(gm, col, dxp, q, b0, ns, oh);
                    } else {
                        fold(gm, col, dxp, q, b0, cc, oh, ow);
                    }
                }
            }
            workspaces.push(gm);
        });
        for (int q = 0; q < groups; q++) {
            for (int o = 0; o < og; o++) {
                int wo = (q * og + o) * rg;
                for (float[] part : dws) {
                    for (int t = 0; t < rg; t++) {
                        weight.grad[wo + t] += part[q * og * rg + t * og + o];
                    }
                }
            }
        }
        if (bias != null) {
            Parallel.forEach(outC, o -> bias.grad[o] += (float) Sums.sum(g.data, o * cols, (o + 1) * cols));
        }
        if (dx != null && dxp != dx) {
            crop(dxp, dx, hp, wp);
        }
        return dx == null ? null : Activations.spatial(dx, inC, n, inH, inW);
    }

    /**
     * The input with the convolution's zero padding around each plane, (C, N, hp, wp); the input itself when
     * there is none. A training pass keeps one such array, whose border is never written and so stays 0.
     *
     * @param x the layer's input, (C, N, H, W) (not modified)
     */
    private float[] padded(float[] x, boolean training) {
        int wp = inW + win.pl() + win.pr();
        int hp = inH + win.pt() + win.pb();
        if (wp == inW && hp == inH) {
            return x;
        }
        int planes = inC * inN;
        float[] p = training ? arrays.floats(2, planes * hp * wp) : new float[planes * hp * wp];
        Parallel.forEach(planes, q -> {
            for (int r = 0; r < inH; r++) {
                System.arraycopy(x, (q * inH + r) * inW, p, (q * hp + win.pt() + r) * wp + win.pl(), inW);
            }
        });
        return p;
    }

    /** {@code dx} = the interior of the padded gradient {@code dxp}, (C, N, hp, wp) (not modified). */
    private void crop(float[] dxp, float[] dx, int hp, int wp) {
        Parallel.forEach(inC * inN, q -> {
            for (int r = 0; r < inH; r++) {
                System.arraycopy(dxp, (q * hp + win.pt() + r) * wp + win.pl(), dx, (q * inH + r) * inW, inW);
            }
        });
    }

    /**
     * Unfolds group {@code g}'s patch rows for samples b0..b0+ns−1 in wide rows: with stride 1, output row oy of
     * patch row (c, i, j) over the whole padded width wp is {@code p[c, b, oy + i·dh, j·dw + x]} for 0 ≤ x < wp,
     * so a sample's oh rows of it are the one contiguous run {@code p[c, b][i·dh·wp + j·dw ...]} of oh·wp values,
     * copied in at once. Columns x ≥ ow wrap onto the next row (or past the plane's end, where 0 is put); their
     * products are discarded forward and get gradient 0 backward. A run of oh·wp values in place of oh runs of
     * ow: LeNet-5's second layer spent more time in its ten-value copies than in its matrix product.
     *
     * @param p   the padded input, (C, N, hp, wp) (not modified)
     * @param out [(in/groups)·kh·kw, ns·oh·wp] (modified)
     */
    private void unfoldWide(float[] p, int g, int b0, int ns, int oh, Gemm.Matrix out) {
        wideRuns(p, out, null, g, b0, ns, oh);
    }

    /**
     * Moves the runs of group {@code g}'s wide patch rows for samples b0..b0+ns−1: copies them from the padded
     * input into the patches ({@code tmp} null, {@link #unfoldWide}), or adds them from the patch gradients onto
     * the padded input gradient through {@code tmp} ({@link #foldWide}).
     *
     * @param image the padded input (not modified) or its gradient (modified), (C, N, hp, wp)
     * @param col   the patches (modified) or their gradients (not modified), [(c,i,j), ns·oh·wp]
     */
    private void wideRuns(float[] image, Gemm.Matrix col, float[] tmp, int g, int b0, int ns, int oh) {
        int wp = inW + win.pl() + win.pr();
        int size = (inH + win.pt() + win.pb()) * wp;
        int run = oh * wp;
        int cg = inC / groups;
        int row = 0;
        for (int c = g * cg; c < (g + 1) * cg; c++) {
            for (int i = 0; i < win.kh(); i++) {
                for (int j = 0; j < win.kw(); j++) {
                    int shift = i * win.dh() * wp + j * win.dw();
                    int len = Math.min(run, size - shift);
                    for (int b = 0; b < ns; b++) {
                        int at = (c * inN + b0 + b) * size + shift;
                        int to = row * col.cols() + b * run;
                        if (tmp == null) {
                            col.buffer().put(to, image, at, len);
                            for (int z = len; z < run; z += ZEROS.length) {
                                col.buffer().put(to + z, ZEROS, 0, Math.min(ZEROS.length, run - z));
                            }
                        } else {
                            col.buffer().get(to, tmp, at, len);
                            for (int t = at; t < at + len; t++) {
                                image[t] += tmp[t];
                            }
                        }
                    }
                    row++;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #unfoldWide}: adds each patch gradient run back onto the padded input positions it
     * came from. The runs' columns x ≥ ow carry exact zeros (their output gradients were 0), and what lies past a
     * plane's end is not added at all, so no chunk touches another's samples.
     *
     * @param dcol the patch gradients, [(c,i,j), ns·oh·wp] (not modified)
     * @param dxp  the padded input gradient, (C, N, hp, wp) (modified)
     */
    private void foldWide(Gemm gm, Gemm.Matrix dcol, float[] dxp, int g, int b0, int ns, int oh) {
        // Each run is fetched to the same index in this array as its target in dxp: the JIT vectorises the sum
        // dxp[t] += tmp[t] over one index, not over two with different offsets (a third of the speed).
        wideRuns(dxp, dcol, gm.scratch(FOLD, dxp.length), g, b0, ns, oh);
    }

    private Gemm take() {
        Gemm gm = workspaces.poll();
        return gm != null ? gm : new Gemm();
    }

    /** Each group's weights, [out/groups, (in/groups)·kh·kw], in native memory (read by every chunk). */
    private Gemm.Matrix[] uploadWeights() {
        int rg = groupRows();
        int og = outC / groups;
        Gemm.Matrix[] w = new Gemm.Matrix[groups];
        for (int g = 0; g < groups; g++) {
            w[g] = weights.upload(g, weight.value, g * og * rg, og, rg);
        }
        return w;
    }

    /**
     * Unfolds group {@code g}'s patch rows for samples b0.. (cc columns) into {@code out}, each row built in a
     * one-row scratch array and copied into the native matrix at once: the scratch stays in the first-level
     * cache, where a scratch of all the rows was as large as the matrix and doubled the memory traffic.
     *
     * @param src the layer's input, (C, N, H, W) (not modified)
     * @param out [(in/groups)·kh·kw, cc] (modified)
     */
    private void unfold(Gemm gm, float[] src, int g, int b0, int cc, int oh, int ow, Gemm.Matrix out) {
        int kh = win.kh();
        int kw = win.kw();
        int cg = inC / groups;
        float[] col = gm.scratch(PATCHES, cc);
        for (int c = g * cg; c < (g + 1) * cg; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    if (win.keepsPlane()) {
                        shiftedCopy(src, (c * inN + b0) * inH * inW, col, 0, cc,
                                (i - win.pt()) * inW + (j - win.pl()));
                        zeroBorders(col, 0, cc / (inH * inW), inH, inW, i - win.pt(), j - win.pl());
                    } else {
                        tap(src, col, 0, c, b0, cc / (oh * ow), i, j, oh, ow, false);
                    }
                    out.putRow(((c - g * cg) * kh + i) * kw + j, col);
                }
            }
        }
    }

    /**
     * Patch row (c, i, j) of a general window for samples b0..b0+ns−1, at {@code col[row...]}: unfolding
     * ({@code fold} false) copies the tap's input pixels there, 0 in the padding; folding adds its gradients
     * back onto those pixels (the padding's are dropped).
     *
     * @param image the layer's input (unfolding, not modified) or its gradient (folding, modified)
     * @param col   the patches (unfolding, modified) or their gradients (folding, not modified)
     */
    private void tap(float[] image, float[] col, int row, int c, int b0, int ns, int i, int j, int oh, int ow,
                     boolean fold) {
        int h = inH;
        int w = inW;
        int off = win.colOffset(j);
        int x0 = win.firstInside(off);
        int x1 = win.endInside(off, w, ow);
        for (int b = 0; b < ns; b++) {
            int plane = (c * inN + b0 + b) * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int iy = win.inRow(oy, i);
                int dst = row + (b * oh + oy) * ow;
                boolean outside = iy < 0 || iy >= h || x0 >= x1;
                if (!fold) {
                    // Runs are short (a row of a small feature map): plain loops, no library calls for empty ones.
                    for (int ox = 0; ox < (outside ? ow : x0); ox++) {
                        col[dst + ox] = 0f;
                    }
                    for (int ox = outside ? ow : x1; ox < ow; ox++) {
                        col[dst + ox] = 0f;
                    }
                }
                if (!outside) {
                    moveRow(image, plane + iy * w + off, win.sw(), col, dst, x0, x1, fold);
                }
            }
        }
    }

    /** {@code col[dst + ox] = image[s0 + ox·sw]}, or the reverse addition when {@code fold}, for x0 ≤ ox < x1. */
    private static void moveRow(float[] image, int s0, int sw, float[] col, int dst, int x0, int x1, boolean fold) {
        if (fold && sw == 1) {
            for (int ox = x0; ox < x1; ox++) {
                image[s0 + ox] += col[dst + ox];
            }
        } else if (fold) {
            for (int ox = x0; ox < x1; ox++) {
                image[s0 + ox * sw] += col[dst + ox];
            }
        } else if (sw == 1) {
            // The copy intrinsic: a quarter faster than the loop on LeNet-5's 10-wide rows.
            System.arraycopy(image, s0 + x0, col, dst + x0, x1 - x0);
        } else {
            for (int ox = x0; ox < x1; ox++) {
                col[dst + ox] = image[s0 + ox * sw];
            }
        }
    }

    /**
     * {@code dst[d + t] = src[s + t + delta]} for 0 ≤ t < len where {@code s + t + delta} lies in [s, s + len),
     * else 0.
     */
    private static void shiftedCopy(float[] src, int s, float[] dst, int d, int len, int delta) {
        int from = Math.max(0, -delta);
        int to = Math.min(len, len - delta);
        Arrays.fill(dst, d, d + from, 0f);
        System.arraycopy(src, s + from + delta, dst, d + from, to - from);
        Arrays.fill(dst, d + to, d + len, 0f);
    }

    /**
     * Zeroes the entries of a patch row at {@code a[row...]}, laid out (n, h, w), whose source pixel
     * (y + di, x + dj) lies outside the h×w image.
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
                    // A few values at each end of the row: plain loops, not a library call per end (185,000
                    // calls per step on LeNet-5's first layer).
                    for (int x = 0; x < x0; x++) {
                        a[r + x] = 0f;
                    }
                    for (int x = x1; x < w; x++) {
                        a[r + x] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Folds group {@code g}'s patch gradients for samples b0.. back onto the input positions they came from (the
     * adjoint of {@link #unfold}); the chunk alone writes those samples' part of {@code dx}.
     *
     * @param dcol the patch gradients, [(c,i,j), cc] (not modified)
     * @param dx   the input gradient, (C, N, H, W) (modified)
     */
    private void fold(Gemm gm, Gemm.Matrix dcol, float[] dx, int g, int b0, int cc, int oh, int ow) {
        int kh = win.kh();
        int kw = win.kw();
        int cg = inC / groups;
        float[] col = gm.scratch(PATCHES, cc);
        int ns = cc / (oh * ow);
        int row = 0;
        for (int c = g * cg; c < (g + 1) * cg; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    // One row at a time through a cached scratch, as in unfold.
                    dcol.getRow(((c - g * cg) * kh + i) * kw + j, col);
                    if (win.keepsPlane()) {
                        // Gradients of padding positions are dropped; the rest is one shifted sum.
                        zeroBorders(col, row, ns, inH, inW, i - win.pt(), j - win.pl());
                        int delta = (i - win.pt()) * inW + (j - win.pl());
                        int from = Math.max(0, -delta);
                        int to = Math.min(cc, cc - delta);
                        int d = (c * inN + b0) * inH * inW + delta;
                        for (int t = from; t < to; t++) {
                            dx[d + t] += col[row + t];
                        }
                    } else {
                        tap(dx, col, row, c, b0, ns, i, j, oh, ow, true);
                    }
                }
            }
        }
    }

    @Override
    public List<Param> params() {
        return Param.present(weight, bias);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        String[] inputs = bias == null ? new String[] {x, onnx.initializer(weight)}
                : new String[] {x, onnx.initializer(weight), onnx.initializer(bias)};
        List<AttributeProto> attrs = new ArrayList<>(List.of(OnnxModelBuilder.attrInts("kernel_shape", win.kernel()),
                OnnxModelBuilder.attrInts("strides", win.strides()), OnnxModelBuilder.attrInts("pads", win.pads())));
        if (win.dh() != 1 || win.dw() != 1) {
            attrs.add(OnnxModelBuilder.attrInts("dilations", win.dilations()));
        }
        if (groups != 1) {
            attrs.add(OnnxModelBuilder.attrInt("group", groups));
        }
        return onnx.node(name, "Conv", OnnxExport.outputName(output, name + ".out"), inputs,
                attrs.toArray(new AttributeProto[0]));
    }
}
