package org.sparsitybench.eval;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorStats;

/**
 * Counts gathered while an export streams its tensors, so the report needs no second pass over the data: each
 * new value the writer reads is counted (zeros) in the chunk the writer is about to encode, which is still in
 * cache. A tensor counts only when the writer read it once from start to end in order; one read in any
 * other order (a writer that reads a tensor twice, say) leaves it uncounted, and {@link #stats} then scans it.
 * Safe to use from the writer's thread and the report's.
 */
final class ExportTally {
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * Views of {@code values} (not modified) that count what the writer reads; the same names, in the same order.
     */
    Map<String, TensorData> observe(Map<String, TensorData> values) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        values.forEach((name, data) -> {
            Counter c = new Counter(data.elementCount());
            counters.put(name, c);
            out.put(name, new Observed(data, c));
        });
        return out;
    }

    /**
     * The zeros (either sign) of tensor {@code name} as written: from the stream when it was read whole and in
     * order, else from a scan of {@code data} (not modified).
     */
    long zeros(String name, TensorData data) {
        Counter c = counters.get(name);
        long z = c == null ? -1 : c.complete();
        return z >= 0 ? z : TensorStats.of(data).zeros();
    }

    /** Whether tensor {@code name} was counted from the stream (for tests). */
    boolean counted(String name) {
        Counter c = counters.get(name);
        return c != null && c.complete() >= 0;
    }

    /** Counts of one tensor; {@code next} is the element an in-order read must start at, -1 once out of order. */
    private static final class Counter {
        private final long size;
        private long next;
        private long zeros;

        Counter(long size) {
            this.size = size;
        }

        synchronized void add(long first, float[] a, int from, int len) {
            if (next < 0) {
                return;
            }
            if (first != next) {
                next = -1;
                return;
            }
            // Branch-free: a branch per element mispredicts on pruned weights, whose zeros fall at random.
            int z = 0;
            for (int i = from, end = from + len; i < end; i++) {
                z += ((Float.floatToRawIntBits(a[i]) & 0x7fffffff) - 1) >>> 31; // 1 for +0 and -0
            }
            zeros += z;
            next += len;
        }

        /** The zeros, or -1 unless the tensor was read whole and in order. */
        synchronized long complete() {
            return next == size ? zeros : -1;
        }
    }

    /** A view that counts each chunk it hands out. */
    private record Observed(TensorData data, Counter counter) implements TensorData {
        @Override
        public DType dtype() {
            return data.dtype();
        }

        @Override
        public long elementCount() {
            return data.elementCount();
        }

        @Override
        public void readFloats(long first, FloatBuffer dst) {
            int start = dst.position();
            data.readFloats(first, dst);
            int len = dst.position() - start;
            if (dst.hasArray()) {
                counter.add(first, dst.array(), dst.arrayOffset() + start, len);
            } else {
                float[] copy = new float[len];
                dst.get(start, copy);
                counter.add(first, copy, 0, len);
            }
        }
    }
}
