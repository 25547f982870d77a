package org.sparsitybench.prune.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Summary statistics of one tensor's weights, computed in one streaming pass (never the whole tensor in heap), so
 * that a large model's layer list can fill in layer by layer in the background.
 *
 * @param name      the tensor
 * @param count     elements
 * @param zeros     elements exactly 0
 * @param nonFinite NaN or infinite elements (left out of every other figure)
 * @param min       smallest finite value (NaN if none)
 * @param max       largest finite value (NaN if none)
 * @param mean      mean of the finite values (NaN if none)
 * @param std       population standard deviation of the finite values (NaN if none)
 * @param meanAbs   mean of |w| over the finite values (NaN if none)
 */
public record LayerStatistics(String name, long count, long zeros, long nonFinite, double min, double max,
                              double mean, double std, double meanAbs) {
    /**
     * One tensor's statistics; {@code data} is not modified.
     *
     * @throws org.sparsitybench.task.CancelledException when cancelled
     */
    public static LayerStatistics of(String name, TensorData data, CancellationToken cancel) {
        return of(name, data, cancel, n -> { });
    }

    private static LayerStatistics of(String name, TensorData data, CancellationToken cancel, Consumer<Integer> step) {
        long n = data.elementCount();
        long finite = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        // Welford's update keeps the variance accurate over billions of values.
        double mean = 0;
        double m2 = 0;
        double sumAbs = 0;
        ChunkedValues r = new ChunkedValues(data, cancel);
        while (r.next()) {
            float[] chunk = r.values();
            for (int i = 0; i < r.length(); i++) {
                float v = chunk[i];
                if (!Float.isFinite(v)) {
                    continue;
                }
                finite++;
                min = Math.min(min, v);
                max = Math.max(max, v);
                double d = v - mean;
                mean += d / finite;
                m2 += d * (v - mean);
                sumAbs += Math.abs(v);
            }
            step.accept(r.length());
        }
        long zeros = r.zeros();
        long nonFinite = r.nonFinite();
        if (finite == 0) {
            return new LayerStatistics(name, n, zeros, nonFinite, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN);
        }
        return new LayerStatistics(name, n, zeros, nonFinite, min, max, mean, Math.sqrt(m2 / finite),
                sumAbs / finite);
    }

    /**
     * Statistics of every prunable tensor of {@code model} (not modified), in model order, handing each to
     * {@code onLayer} as soon as it is done: a cancelled run has delivered the finished layers and no partial one.
     *
     * @param progress fraction of all prunable elements read so far
     * @throws org.sparsitybench.task.CancelledException when cancelled
     */
    public static List<LayerStatistics> compute(Model model, ProgressListener progress, CancellationToken cancel,
                                                Consumer<LayerStatistics> onLayer) {
        List<WeightTensor> layers = model.prunableTensors();
        long total = 0;
        for (WeightTensor t : layers) {
            total += t.elementCount();
        }
        final long all = Math.max(1, total);
        long[] done = {0};
        List<LayerStatistics> out = new ArrayList<>(layers.size());
        for (WeightTensor t : layers) {
            cancel.throwIfCancelled();
            LayerStatistics s = of(t.name(), t.data(), cancel, len -> {
                done[0] += len;
                progress.progress((double) done[0] / all, String.format(Locale.ROOT, "statistics of %s", t.name()));
            });
            out.add(s);
            onLayer.accept(s);
        }
        progress.progress(1, "statistics done");
        return out;
    }
}
