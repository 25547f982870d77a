package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's graph as trainable steps in the file's (topological) order: values live in numbered slots, each step
 * reads slots and writes one; the backward pass walks the steps in reverse and sums the gradients of a value
 * read by several steps (a residual fork). The parameters are the graph's initializers, one {@link Param} per
 * initializer name, so a weight shared by two nodes is one tensor.
 */
public final class GraphNetwork {
    /** How a step combines its inputs. */
    enum Kind {
        /** One input through a {@link TrainableOp}. */
        OP,
        /** Element-wise sum of two values of one shape (residual Add). */
        SUM,
        /** Concatenation along channels (feature maps) or features (flat values). */
        CONCAT
    }

    record Step(String node, String opType, Kind kind, TrainableOp op, int[] inputs, int output) {
    }

    private final List<Step> steps;
    private final int slots;
    private final int inputSlot;
    private final int outputSlot;
    private final long[] sampleDims;
    private final Map<String, Param> params;
    private final Map<String, Param> buffers;
    private final String finalActivation;
    private Activations[] values;

    GraphNetwork(List<Step> steps, int slots, int inputSlot, int outputSlot, long[] sampleDims,
                 Map<String, Param> params, Map<String, Param> buffers, String finalActivation) {
        this.steps = List.copyOf(steps);
        this.slots = slots;
        this.inputSlot = inputSlot;
        this.outputSlot = outputSlot;
        this.sampleDims = sampleDims.clone();
        this.params = new LinkedHashMap<>(params);
        this.buffers = new LinkedHashMap<>(buffers);
        this.finalActivation = finalActivation;
        for (Step s : steps) {
            // The data's gradient is never used: the ops reading the input alone may skip it.
            if (s.kind == Kind.OP && s.inputs[0] == inputSlot) {
                s.op.skipInputGradient();
            }
        }
    }

    /** Values per sample. */
    public int inputSize() {
        long n = 1;
        for (long d : sampleDims) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** Trained initializers by name, in the order the graph first reads them (not copies). */
    public Map<String, Param> params() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /** Initializers updated without gradients (batch-norm running statistics), by name (not copies). */
    public Map<String, Param> buffers() {
        return java.util.Collections.unmodifiableMap(buffers);
    }

    /** "Softmax" or "LogSoftmax" when the graph ends in one (training uses the logits before it), else "". */
    public String finalActivation() {
        return finalActivation;
    }

    /** The steps, in order (for tests). */
    List<Step> steps() {
        return steps;
    }

    /** The op types of the steps, in order (for messages and tests). */
    public List<String> opTypes() {
        return steps.stream().map(Step::opType).toList();
    }

    /**
     * Logits, (N, K), for a batch.
     *
     * @param batch    {@code n} samples in ONNX layout (N, C, H, W) or (N, F) (not modified)
     * @param training batch statistics and remembered values for {@link #backward}
     */
    public Activations forward(float[] batch, int n, boolean training) {
        Activations x = sampleDims.length == 3
                ? Activations.fromNchw(batch, n, (int) sampleDims[0], (int) sampleDims[1], (int) sampleDims[2])
                : Activations.flat(batch, n, inputSize());
        Activations[] v = new Activations[slots];
        v[inputSlot] = x;
        for (Step s : steps) {
            v[s.output] = switch (s.kind) {
                case OP -> s.op.forward(v[s.inputs[0]], training);
                case SUM -> sum(s, v[s.inputs[0]], v[s.inputs[1]]);
                case CONCAT -> concat(s, v, s.inputs);
            };
        }
        Activations y = v[outputSlot];
        if (y.spatial) {
            if (y.height * y.width != 1) {
                throw new IllegalArgumentException("the graph output is a " + y.channels + "×" + y.height + "×"
                        + y.width + " map, not class scores");
            }
            y = Activations.flat(transposeChannelMajor(y), y.batch, y.channels);
        }
        values = training ? v : null;
        return y;
    }

    /** Back-propagates the loss gradient of the last training {@link #forward}, accumulating parameter gradients. */
    public void backward(Activations gradLogits) {
        Activations[] v = values;
        Activations[] g = new Activations[slots];
        Activations out = v[outputSlot];
        g[outputSlot] = out.spatial
                ? out.with(transposeToChannelMajor(gradLogits.data, out.batch, out.channels)) : gradLogits;
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step s = steps.get(i);
            Activations go = g[s.output];
            if (go == null) {
                continue; // a value nothing downstream of the loss reads
            }
            g[s.output] = null;
            switch (s.kind) {
                case OP -> {
                    Activations d = s.op.backward(go);
                    if (d != null) {
                        accumulate(g, s.inputs[0], d);
                    }
                }
                case SUM -> {
                    accumulate(g, s.inputs[0], go);
                    accumulate(g, s.inputs[1], go);
                }
                case CONCAT -> {
                    int offset = 0;
                    for (int in : s.inputs) {
                        Activations a = v[in];
                        accumulate(g, in, slice(go, a, offset));
                        offset += a.channels;
                    }
                }
            }
        }
        values = null;
    }

    private static void accumulate(Activations[] g, int slot, Activations d) {
        if (g[slot] == null) {
            g[slot] = d;
            return;
        }
        float[] sum = g[slot].data.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += d.data[i];
        }
        g[slot] = g[slot].with(sum);
    }

    private static Activations sum(Step s, Activations a, Activations b) {
        if (a.data.length != b.data.length || a.spatial != b.spatial || a.channels != b.channels) {
            throw new IllegalArgumentException(s.node + " (Add): operands differ in shape and broadcasting "
                    + "between two computed values is not trained");
        }
        float[] y = a.data.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += b.data[i];
        }
        return a.with(y);
    }

    private static Activations concat(Step s, Activations[] v, int[] inputs) {
        Activations first = v[inputs[0]];
        int channels = 0;
        for (int in : inputs) {
            Activations a = v[in];
            if (a.spatial != first.spatial || a.batch != first.batch || a.height != first.height
                    || a.width != first.width) {
                throw new IllegalArgumentException(s.node + " (Concat): inputs differ in more than channels");
            }
            channels += a.channels;
        }
        float[] y = new float[channels * first.batch * first.plane()];
        if (first.spatial) {
            // Channel-major layout: a concatenation along channels is one block after another.
            int at = 0;
            for (int in : inputs) {
                System.arraycopy(v[in].data, 0, y, at, v[in].data.length);
                at += v[in].data.length;
            }
            return Activations.spatial(y, channels, first.batch, first.height, first.width);
        }
        int offset = 0;
        for (int in : inputs) {
            Activations a = v[in];
            for (int r = 0; r < a.batch; r++) {
                System.arraycopy(a.data, r * a.channels, y, r * channels + offset, a.channels);
            }
            offset += a.channels;
        }
        return Activations.flat(y, first.batch, channels);
    }

    /** The part of a concatenation's gradient {@code g} that belongs to input {@code a}, starting at channel offset. */
    private static Activations slice(Activations g, Activations a, int offset) {
        float[] d = new float[a.data.length];
        if (g.spatial) {
            System.arraycopy(g.data, offset * g.batch * g.plane(), d, 0, d.length);
            return a.with(d);
        }
        for (int r = 0; r < a.batch; r++) {
            System.arraycopy(g.data, r * g.channels + offset, d, r * a.channels, a.channels);
        }
        return a.with(d);
    }

    /** (C, N, 1, 1) to (N, C). */
    private static float[] transposeChannelMajor(Activations y) {
        float[] out = new float[y.data.length];
        for (int c = 0; c < y.channels; c++) {
            for (int n = 0; n < y.batch; n++) {
                out[n * y.channels + c] = y.data[c * y.batch + n];
            }
        }
        return out;
    }

    /** (N, C) to (C, N). */
    private static float[] transposeToChannelMajor(float[] g, int batch, int channels) {
        float[] out = new float[g.length];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                out[c * batch + n] = g[n * channels + c];
            }
        }
        return out;
    }

    /** Every trained tensor and buffer by name: what a snapshot or a write-back covers. */
    public Map<String, Param> tensors() {
        Map<String, Param> all = new LinkedHashMap<>(params);
        all.putAll(buffers);
        return all;
    }

    /** The steps' parameter tensors as the optimiser takes them. */
    public List<Param> paramList() {
        return new ArrayList<>(params.values());
    }
}
