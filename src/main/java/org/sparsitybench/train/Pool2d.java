package org.sparsitybench.train;

import java.util.Arrays;

/**
 * Max or average pooling over kh×kw windows with strides and zero padding (ONNX MaxPool / AveragePool, floor
 * rounding). A max window ignores padding; an average divides by the window's positions inside the image, or
 * by kh·kw with {@code countIncludePad}. A window lying wholly in padding gives 0.
 */
public final class Pool2d implements TrainableOp {
    private final boolean max;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int pt;
    private final int pl;
    private final int pb;
    private final int pr;
    private final boolean countIncludePad;
    private int[] argmax;
    private int inH;
    private int inW;

    /**
     * @param kernel  {kh, kw}
     * @param strides {sh, sw}
     * @param pads    {top, left, bottom, right}
     */
    public Pool2d(boolean max, int[] kernel, int[] strides, int[] pads, boolean countIncludePad) {
        this.max = max;
        this.kh = kernel[0];
        this.kw = kernel[1];
        this.sh = strides[0];
        this.sw = strides[1];
        this.pt = pads[0];
        this.pl = pads[1];
        this.pb = pads[2];
        this.pr = pads[3];
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(max ? "MaxPool" : "AveragePool");
        int h = x.height;
        int w = x.width;
        int oh = (h + pt + pb - kh) / sh + 1;
        int ow = (w + pl + pr - kw) / sw + 1;
        int planes = x.channels * x.batch;
        float[] v = x.data;
        float[] y = new float[planes * oh * ow];
        int[] arg = training && max ? new int[y.length] : null;
        Parallel.forEach(planes, p -> {
            int in = p * h * w;
            int out = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * sh - pt;
                int ya = Math.max(0, y0);
                int yb = Math.min(h, y0 + kh);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * sw - pl;
                    int xa = Math.max(0, x0);
                    int xb = Math.min(w, x0 + kw);
                    int o = out + oy * ow + ox;
                    if (ya >= yb || xa >= xb) {
                        y[o] = 0f;
                        if (arg != null) {
                            arg[o] = -1;
                        }
                        continue;
                    }
                    if (max) {
                        int best = in + ya * w + xa;
                        for (int iy = ya; iy < yb; iy++) {
                            for (int ix = xa; ix < xb; ix++) {
                                if (v[in + iy * w + ix] > v[best]) {
                                    best = in + iy * w + ix;
                                }
                            }
                        }
                        y[o] = v[best];
                        if (arg != null) {
                            arg[o] = best;
                        }
                    } else {
                        double s = 0;
                        for (int iy = ya; iy < yb; iy++) {
                            for (int ix = xa; ix < xb; ix++) {
                                s += v[in + iy * w + ix];
                            }
                        }
                        y[o] = (float) (s / divisor(ya, yb, xa, xb));
                    }
                }
            }
        });
        argmax = arg;
        inH = h;
        inW = w;
        return Activations.spatial(y, x.channels, x.batch, oh, ow);
    }

    private int divisor(int ya, int yb, int xa, int xb) {
        return countIncludePad ? kh * kw : (yb - ya) * (xb - xa);
    }

    @Override
    public Activations backward(Activations g) {
        int h = inH;
        int w = inW;
        int oh = g.height;
        int ow = g.width;
        int planes = g.channels * g.batch;
        float[] dx = new float[planes * h * w];
        if (max) {
            for (int o = 0; o < g.data.length; o++) {
                if (argmax[o] >= 0) {
                    dx[argmax[o]] += g.data[o];
                }
            }
            argmax = null;
        } else {
            Parallel.forEach(planes, p -> {
                int in = p * h * w;
                int out = p * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * sh - pt;
                    int ya = Math.max(0, y0);
                    int yb = Math.min(h, y0 + kh);
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = ox * sw - pl;
                        int xa = Math.max(0, x0);
                        int xb = Math.min(w, x0 + kw);
                        if (ya >= yb || xa >= xb) {
                            continue;
                        }
                        float gv = g.data[out + oy * ow + ox] / divisor(ya, yb, xa, xb);
                        for (int iy = ya; iy < yb; iy++) {
                            int r = in + iy * w;
                            for (int ix = xa; ix < xb; ix++) {
                                dx[r + ix] += gv;
                            }
                        }
                    }
                }
            });
        }
        return Activations.spatial(dx, g.channels, g.batch, h, w);
    }

    @Override
    public String toString() {
        return (max ? "MaxPool " : "AveragePool ") + kh + "×" + kw + " stride " + sh + "×" + sw + " pads "
                + Arrays.toString(new int[] {pt, pl, pb, pr});
    }
}
