package org.sparsitybench.tools.bench.large;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.task.CancellationToken;

/** Timing: the per-layer statistics the window computes in the background after opening a model. */
final class BackgroundStatistics {
    private BackgroundStatistics() {
    }

    /**
     * Per-tensor zeros/NaN counts and a 256-bin histogram, computed on one background thread tensor after
     * tensor, as the window fills its table; this thread samples how many are done.
     */
    static ObjectNode measure(ObjectMapper json, Model model) throws Exception {
        List<WeightTensor> tensors = model.tensors();
        AtomicInteger done = new AtomicInteger();
        AtomicLong firstDone = new AtomicLong(-1);
        long start = System.nanoTime();
        ExecutorService background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-large-statistics");
            t.setDaemon(true);
            return t;
        });
        Future<Long> zeros;
        try {
            zeros = background.submit(() -> {
                long z = 0;
                for (WeightTensor t : tensors) {
                    z += t.stats().zeros();
                    WeightHistogram.of(t.data(), null, 256, true, WeightHistogram.Scale.LINEAR, CancellationToken.NONE);
                    if (done.incrementAndGet() == 1) {
                        firstDone.set(System.nanoTime());
                    }
                }
                return z;
            });
            long halfAt = -1;
            while (!zeros.isDone()) {
                if (halfAt < 0 && done.get() * 2 >= tensors.size()) {
                    halfAt = System.nanoTime();
                }
                try {
                    zeros.get(20, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // still running: sample again
                }
            }
            long end = System.nanoTime();
            ObjectNode s = json.createObjectNode();
            s.put("tensors", tensors.size());
            s.put("firstTensorMs", LargeReport.ms(firstDone.get() - start));
            s.put("halfTensorsMs", halfAt < 0 ? LargeReport.ms(end - start) : LargeReport.ms(halfAt - start));
            s.put("allTensorsMs", LargeReport.ms(end - start));
            s.put("zeros", zeros.get());
            s.put("what", "per tensor: zeros and NaN/Inf counts (WeightTensor.stats) and a 256-bin signed "
                    + "histogram (WeightHistogram, two passes), on one background thread");
            return s;
        } finally {
            background.shutdownNow();
        }
    }
}
