package org.sparsitybench.ui.overview;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.PruningResult;

/**
 * The model overview without any toolkit: one row per prunable layer in model order, and the totals line. The
 * view redraws after every {@link #setRows}.
 */
public final class OverviewViewModel {
    private final List<OverviewRow> rows = new ArrayList<>();
    private final List<Runnable> listeners = new ArrayList<>();

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void setRows(Collection<OverviewRow> next) {
        rows.clear();
        rows.addAll(next);
        for (Runnable r : List.copyOf(listeners)) {
            r.run();
        }
    }

    public List<OverviewRow> rows() {
        return List.copyOf(rows);
    }

    /** Rows of an engine result, model order. */
    public static List<OverviewRow> fromResult(PruningResult result) {
        List<OverviewRow> out = new ArrayList<>();
        for (LayerResult l : result.layers()) {
            out.add(new OverviewRow(l.name(), l.requested(), l.achieved(), l.params(), l.kept()));
        }
        return out;
    }

    public long totalParams() {
        return rows.stream().mapToLong(OverviewRow::params).sum();
    }

    public long totalKept() {
        return rows.stream().mapToLong(OverviewRow::kept).sum();
    }

    /** Pruned share of all rows' weights; 0 without weights. */
    public double achieved() {
        long total = totalParams();
        return total == 0 ? 0 : (double) (total - totalKept()) / total;
    }

    /** "5 layers · 24,588 of 61,470 weights kept · 60.0 % sparse". */
    public String summary() {
        return String.format(Locale.ROOT, "%d layers  ·  %,d of %,d weights kept  ·  %.1f%% sparse", rows.size(),
                totalKept(), totalParams(), 100 * achieved());
    }
}
