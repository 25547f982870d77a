package org.sparsitybench.tools.bench.large;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningResult;

/**
 * Verification: what re-reading a pruned export found, tensor by tensor, against the source and the masks.
 *
 * @param prunedTensors      tensors the masks prune
 * @param prunedMatching     of those, tensors holding exactly their kept weights and zeros elsewhere
 * @param untouchedTensors   tensors the masks leave whole
 * @param untouchedIdentical of those, tensors byte-identical to the source
 * @param zeros              zeros in the exported pruned tensors
 * @param problems           one line per tensor that failed
 */
public record ExportVerification(int prunedTensors, int prunedMatching, int untouchedTensors, int untouchedIdentical,
                                 long zeros, List<String> problems) {
    public boolean ok() {
        return problems.isEmpty() && prunedMatching == prunedTensors && untouchedIdentical == untouchedTensors;
    }

    /**
     * Checks the export against the source and the masks: every pruned tensor holds exactly its kept weights
     * and zeros elsewhere (so its sparsity is the mask's), every other tensor is byte-identical.
     */
    public static ExportVerification check(Model source, Model export, PruningResult result) {
        int pruned = 0;
        int prunedOk = 0;
        int untouched = 0;
        int untouchedOk = 0;
        long zeros = 0;
        List<String> problems = new ArrayList<>();
        if (export.tensors().size() != source.tensors().size()) {
            problems.add("export has " + export.tensors().size() + " tensors, source " + source.tensors().size());
        }
        Map<String, LayerResult> layers = new LinkedHashMap<>();
        result.layers().forEach(l -> layers.put(l.name(), l));
        float[] a = new float[1 << 16];
        float[] b = new float[1 << 16];
        for (WeightTensor t : source.tensors()) {
            WeightTensor e = export.tensor(t.name()).orElse(null);
            if (e == null || !Arrays.equals(e.shape(), t.shape()) || e.dtype() != t.dtype()) {
                problems.add(t.name() + ": missing or reshaped in the export");
                continue;
            }
            Mask mask = result.masks().get(t.name());
            if (mask == null || mask.prunedCount() == 0) {
                untouched++;
                if (sameBytes((BufferTensorData) t.data(), (BufferTensorData) e.data())) {
                    untouchedOk++;
                } else {
                    problems.add(t.name() + ": not byte-identical");
                }
                continue;
            }
            pruned++;
            Counts c = compare(t, e, mask.toBitMask(), a, b);
            long wrong = c.wrong();
            long prunedHere = c.pruned();
            long tensorZeros = c.zeros();
            zeros += tensorZeros;
            LayerResult lr = layers.get(t.name());
            if (wrong == 0 && lr != null && prunedHere == lr.pruned() && tensorZeros >= prunedHere) {
                prunedOk++;
            } else {
                problems.add(t.name() + ": " + wrong + " values differ from kept-or-zero, mask prunes " + prunedHere
                        + ", result says " + (lr == null ? "nothing" : lr.pruned()));
            }
        }
        return new ExportVerification(pruned, prunedOk, untouched, untouchedOk, zeros, problems);
    }

    /** Of one pruned tensor: values not equal to kept-or-zero, weights the mask prunes, zeros in the export. */
    private record Counts(long wrong, long pruned, long zeros) {
    }

    /**
     * Compares a pruned tensor's export with its source through the mask, chunk by chunk.
     *
     * @param a reused chunk buffer for the source (modified)
     * @param b reused chunk buffer for the export (modified)
     */
    private static Counts compare(WeightTensor t, WeightTensor e, BitMask bits, float[] a, float[] b) {
        long n = t.elementCount();
        long wrong = 0;
        long prunedHere = 0;
        long tensorZeros = 0;
        for (long at = 0; at < n; at += a.length) {
            int len = (int) Math.min(a.length, n - at);
            t.data().readFloats(at, FloatBuffer.wrap(a, 0, len));
            e.data().readFloats(at, FloatBuffer.wrap(b, 0, len));
            for (int i = 0; i < len; i++) {
                long index = at + i;
                boolean kept = (bits.word((int) (index >>> 6)) & (1L << index)) != 0;
                int expected = kept ? Float.floatToRawIntBits(a[i]) : 0;
                if (Float.floatToRawIntBits(b[i]) != expected) {
                    wrong++;
                }
                if (!kept) {
                    prunedHere++;
                }
                if (b[i] == 0f) {
                    tensorZeros++;
                }
            }
        }
        return new Counts(wrong, prunedHere, tensorZeros);
    }

    private static boolean sameBytes(BufferTensorData x, BufferTensorData y) {
        List<ByteBuffer> xs = x.windows();
        List<ByteBuffer> ys = y.windows();
        if (xs.size() != ys.size()) {
            return false;
        }
        for (int i = 0; i < xs.size(); i++) {
            if (!xs.get(i).equals(ys.get(i))) {
                return false;
            }
        }
        return true;
    }
}
