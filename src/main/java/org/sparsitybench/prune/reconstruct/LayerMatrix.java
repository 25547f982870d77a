package org.sparsitybench.prune.reconstruct;

import java.util.Arrays;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;

/**
 * A Gemm, MatMul or Conv weight seen as the matrices reconstruction works on: {@code groups} matrices
 * {@code W_g[rows × cols]} with the layer computing {@code y = x·W_gᵀ} for input rows {@code x} of
 * {@code cols} features. A Gemm ({@code transB} 1: {@code [out, in]}; 0: {@code [in, out]}) or a 2-D MatMul
 * operand ({@code [in, out]}) is one matrix over the input features; a 2-D Conv {@code [O, C/g, kh, kw]} is one
 * matrix per group over its im2col patches, columns ordered kernel position first, then input channel
 * ({@code col = (ky·kw + kx)·C/g + c}), so that M consecutive columns are M input channels at one kernel
 * position, as the engine's N:M groups are ({@link #segment()}). Immutable.
 */
public final class LayerMatrix {
    private enum Kind { OUT_IN, IN_OUT, CONV }

    private final Kind kind;
    private final long[] shape;
    private final int groups;
    private final int rows;
    private final int cols;
    private final int segment;
    // Conv only
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int dh;
    private final int dw;
    private final int padTop;
    private final int padLeft;
    private final int padBottom;
    private final int padRight;

    private LayerMatrix(Kind kind, long[] shape, int groups, int rows, int cols, int segment, long[] conv) {
        this.kind = kind;
        this.shape = shape.clone();
        this.groups = groups;
        this.rows = rows;
        this.cols = cols;
        this.segment = segment;
        long[] c = conv == null ? new long[10] : conv;
        kh = (int) c[0];
        kw = (int) c[1];
        sh = (int) c[2];
        sw = (int) c[3];
        dh = (int) c[4];
        dw = (int) c[5];
        padTop = (int) c[6];
        padLeft = (int) c[7];
        padBottom = (int) c[8];
        padRight = (int) c[9];
    }

    /**
     * The matrix view of {@code weight} as the operand of {@code node}.
     *
     * @throws IllegalArgumentException naming why the layer has no matrix view (not the weight operand, a
     *                                  transposed Gemm input, a Conv that is not 2-D or pads automatically, ...)
     */
    public static LayerMatrix of(GraphNode node, WeightTensor weight) {
        long[] s = weight.shape();
        String where = weight.name() + " (" + node.opType() + " " + node.name() + ")";
        if (!node.input(1).equals(weight.name())) {
            throw new IllegalArgumentException(where + ": the weight is not the node's second operand");
        }
        switch (node.opType()) {
            case "Gemm" -> {
                if (node.intAttribute("transA", 0) != 0 || s.length != 2) {
                    throw new IllegalArgumentException(where + ": Gemm with a transposed input");
                }
                boolean outIn = node.intAttribute("transB", 0) != 0;
                return linear(outIn ? Kind.OUT_IN : Kind.IN_OUT, s);
            }
            case "MatMul" -> {
                if (s.length != 2) {
                    throw new IllegalArgumentException(where + ": MatMul weight of rank " + s.length);
                }
                return linear(Kind.IN_OUT, s);
            }
            case "Conv" -> {
                if (s.length != 4) {
                    throw new IllegalArgumentException(where + ": only 2-D convolutions are reconstructed");
                }
                Object autoPad = node.attributes().get("auto_pad");
                if (autoPad != null && !"NOTSET".equals(autoPad)) {
                    throw new IllegalArgumentException(where + ": auto_pad " + autoPad + " is not supported");
                }
                int g = (int) node.intAttribute("group", 1);
                if (g < 1 || s[0] % g != 0) {
                    throw new IllegalArgumentException(where + ": group " + g + " does not divide " + s[0] + " outputs");
                }
                long[] strides = ints(node, "strides", 2, 1);
                long[] dil = ints(node, "dilations", 2, 1);
                long[] pads = ints(node, "pads", 4, 0);
                int cg = (int) s[1];
                long colsL = (long) cg * s[2] * s[3];
                if (colsL > SparseGpt.MAX_COLS) {
                    throw new IllegalArgumentException(where + ": " + colsL + " patch features are too many");
                }
                return new LayerMatrix(Kind.CONV, s, g, (int) (s[0] / g), (int) colsL, cg,
                        new long[] {s[2], s[3], strides[0], strides[1], dil[0], dil[1], pads[0], pads[1], pads[2], pads[3]});
            }
            default -> throw new IllegalArgumentException(where + ": " + node.opType() + " is not Gemm, MatMul or Conv");
        }
    }

    private static LayerMatrix linear(Kind kind, long[] s) {
        int out = (int) (kind == Kind.OUT_IN ? s[0] : s[1]);
        int in = (int) (kind == Kind.OUT_IN ? s[1] : s[0]);
        if (in > SparseGpt.MAX_COLS) {
            throw new IllegalArgumentException(in + " input features are too many");
        }
        return new LayerMatrix(kind, s, 1, out, in, in, null);
    }

    private static long[] ints(GraphNode node, String key, int n, long fallback) {
        Object v = node.attributes().get(key);
        if (v instanceof long[] a && a.length == n) {
            return a;
        }
        long[] d = new long[n];
        Arrays.fill(d, fallback);
        return d;
    }

    public int groups() {
        return groups;
    }

    /** Output rows per group. */
    public int rows() {
        return rows;
    }

    /** Input features per group (im2col patch length for a Conv). */
    public int cols() {
        return cols;
    }

    /** N:M groups never cross a multiple of this many columns (a Conv's channels per group; all columns otherwise). */
    public int segment() {
        return segment;
    }

    public boolean isConv() {
        return kind == Kind.CONV;
    }

    /** The output channel (bias index) of row {@code r} of group {@code g}. */
    public int outputChannel(int g, int r) {
        return g * rows + r;
    }

    /** Flat index into the weight tensor of entry {@code (r, c)} of group {@code g}'s matrix. */
    public long index(int g, int r, int c) {
        return switch (kind) {
            case OUT_IN -> (long) r * cols + c;
            case IN_OUT -> (long) c * rows + r;
            case CONV -> {
                int cg = segment;
                int p = c / cg;
                int ch = c % cg;
                long o = (long) g * rows + r;
                yield (o * cg + ch) * ((long) kh * kw) + p;
            }
        };
    }

    /** Group {@code g}'s matrix, row-major (a new array); {@code weights} not modified. */
    public double[] matrix(float[] weights, int g) {
        double[] m = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r * cols + c] = weights[(int) index(g, r, c)];
            }
        }
        return m;
    }

    /** Writes group {@code g}'s matrix {@code m} (not modified) into {@code weights} (modified). */
    public void write(double[] m, int g, float[] weights) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                weights[(int) index(g, r, c)] = (float) m[r * cols + c];
            }
        }
    }

    /** Group {@code g}'s pruned entries under {@code mask} (not modified), row-major. */
    public boolean[] pruned(Mask mask, int g) {
        boolean[] p = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                p[r * cols + c] = !mask.isKept(index(g, r, c));
            }
        }
        return p;
    }

    /**
     * Input rows for group {@code g} from one batch of the layer's input: for a Gemm/MatMul every leading index
     * of {@code [..., in]} is a row; for a Conv every (sample, output position) of {@code [N, C, H, W]} is a row,
     * its patch zero-padded as the Conv pads.
     *
     * @param input the batch (not modified)
     * @param shape its shape
     * @return row-major {@code n × cols} rows (a new array; {@code n = result.length / cols})
     * @throws IllegalArgumentException when the shape does not fit the weight
     */
    public double[] inputRows(float[] input, long[] shape, int g) {
        if (kind != Kind.CONV) {
            if (shape[shape.length - 1] != cols) {
                throw new IllegalArgumentException("input " + Arrays.toString(shape) + " does not end in " + cols + " features");
            }
            double[] x = new double[input.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = input[i];
            }
            return x;
        }
        if (shape.length != 4 || shape[1] != (long) segment * groups) {
            throw new IllegalArgumentException("Conv input " + Arrays.toString(shape) + " does not have "
                    + (long) segment * groups + " channels in NCHW");
        }
        int n = (int) shape[0];
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int oh = (h + padTop + padBottom - dh * (kh - 1) - 1) / sh + 1;
        int ow = (w + padLeft + padRight - dw * (kw - 1) - 1) / sw + 1;
        int cg = segment;
        double[] x = new double[Math.multiplyExact(Math.multiplyExact(n, oh * ow), cols)];
        int row = 0;
        for (int s = 0; s < n; s++) {
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++, row++) {
                    int base = row * cols;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = y * sh - padTop + ky * dh;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = xo * sw - padLeft + kx * dw;
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            int p = ky * kw + kx;
                            long src = (((long) s * c + (long) g * cg) * h + iy) * w + ix;
                            for (int ch = 0; ch < cg; ch++) {
                                x[base + p * cg + ch] = input[(int) (src + (long) ch * h * w)];
                            }
                        }
                    }
                }
            }
        }
        return x;
    }

    @Override
    public String toString() {
        return kind + Arrays.toString(shape) + " as " + groups + " × [" + rows + " × " + cols + "]";
    }
}
