package org.sparsitybench.train;

import java.util.Arrays;

/**
 * The sliding-window geometry a convolution and a pooling share (ONNX's kernel_shape, strides, pads, dilations,
 * floor rounding): output position (oy, ox), window tap (i, j) reads input position
 * {@code (oy·sh − pt + i·dh, ox·sw − pl + j·dw)}; positions outside the h×w input are padding.
 *
 * @param kh kernel height
 * @param kw kernel width
 * @param sh vertical stride
 * @param sw horizontal stride
 * @param pt padding on top
 * @param pl padding on the left
 * @param pb padding at the bottom
 * @param pr padding on the right
 * @param dh vertical dilation
 * @param dw horizontal dilation
 */
public record Window2d(int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw) {
    public Window2d {
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1 || pt < 0 || pl < 0 || pb < 0 || pr < 0) {
            throw new IllegalArgumentException("window " + kh + "×" + kw + ", strides " + sh + "," + sw + ", pads "
                    + pt + "," + pl + "," + pb + "," + pr + ", dilations " + dh + "," + dw);
        }
    }

    /**
     * @param kernel    {kh, kw}
     * @param strides   {sh, sw}
     * @param pads      {top, left, bottom, right}
     * @param dilations {dh, dw}
     */
    public static Window2d of(int[] kernel, int[] strides, int[] pads, int[] dilations) {
        return new Window2d(kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
                dilations[0], dilations[1]);
    }

    /** Output rows for {@code h} input rows: {@code ⌊(h + pt + pb − dh·(kh − 1) − 1)/sh⌋ + 1}. */
    public int outHeight(int h) {
        return Math.floorDiv(h + pt + pb - dh * (kh - 1) - 1, sh) + 1;
    }

    /** Output columns for {@code w} input columns, as {@link #outHeight}. */
    public int outWidth(int w) {
        return Math.floorDiv(w + pl + pr - dw * (kw - 1) - 1, sw) + 1;
    }

    /** Input row read by output row {@code oy} at tap row {@code i} (may lie in the padding). */
    public int inRow(int oy, int i) {
        return oy * sh - pt + i * dh;
    }

    /** Offset of the input column read by output column 0 at tap column {@code j}: ox·sw plus this. */
    public int colOffset(int j) {
        return j * dw - pl;
    }

    /** The first output column whose tap with column offset {@code off} ({@link #colOffset}) lies in the image. */
    public int firstInside(int off) {
        return Math.max(0, ceilDiv(-off, sw));
    }

    /** One past the last output column (of {@code ow}) whose tap with offset {@code off} lies in a w-wide image. */
    public int endInside(int off, int w, int ow) {
        return Math.min(ow, ceilDiv(w - off, sw));
    }

    /**
     * Stride 1 and dilation 1 with pads that keep the plane size: tap (i, j) of every output position is the
     * input shifted by {@code (i − pt)·w + (j − pl)}, so a whole plane moves at once.
     */
    public boolean keepsPlane() {
        return sh == 1 && sw == 1 && dh == 1 && dw == 1 && pt + pb == kh - 1 && pl + pr == kw - 1;
    }

    /** Non-overlapping 2×2 windows without padding: the common max pooling, which has a loop of its own. */
    public boolean isPair() {
        return kh == 2 && kw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && pb == 0 && pr == 0 && dh == 1
                && dw == 1;
    }

    /** {kh, kw}, as ONNX's kernel_shape attribute takes it; likewise the three below. */
    public long[] kernel() {
        return new long[] {kh, kw};
    }

    public long[] strides() {
        return new long[] {sh, sw};
    }

    public long[] pads() {
        return new long[] {pt, pl, pb, pr};
    }

    public long[] dilations() {
        return new long[] {dh, dw};
    }

    @Override
    public String toString() {
        return kh + "×" + kw + " stride " + sh + "×" + sw + " pads " + Arrays.toString(pads())
                + (dh != 1 || dw != 1 ? " dilations " + dh + "×" + dw : "");
    }

    static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
