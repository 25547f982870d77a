package org.sparsitybench.ui.curves;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.LegendItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.project.Project;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.Styles;

/**
 * Accuracy, loss and latency against sparsity, and accuracy against latency with the Pareto front, as a 2×2
 * grid of charts over one {@link CurvesViewModel}: one series per sweep or snapshot, the current configuration
 * as a ring. A click on a legend item hides or shows that series on all four charts. Paints what the model holds;
 * computes nothing.
 */
public final class CurvesView extends BorderPane {
    private final CurvesViewModel vm;
    private final Map<CurveKind, ChartViewer> viewers = new EnumMap<>(CurveKind.class);
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);

    /** The view over a model the caller fills. */
    public CurvesView(CurvesViewModel vm) {
        this.vm = vm;
        setId("curvesView");
        getStyleClass().add(Styles.CURVES);
        GridPane grid = new GridPane();
        grid.setHgap(4);
        grid.setVgap(4);
        for (int i = 0; i < 2; i++) {
            ColumnConstraints c = new ColumnConstraints();
            c.setPercentWidth(50);
            c.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(c);
            RowConstraints r = new RowConstraints();
            r.setPercentHeight(50);
            r.setVgrow(Priority.ALWAYS);
            grid.getRowConstraints().add(r);
        }
        int i = 0;
        for (CurveKind kind : CurveKind.values()) {
            ChartViewer viewer = new ChartViewer(CurvesCharts.chart(kind, vm, ChartTheme.LIGHT));
            viewer.setId(id(kind));
            viewer.setMinSize(120, 100);
            viewer.addChartMouseListener(new ChartMouseListenerFX() {
                @Override
                public void chartMouseClicked(ChartMouseEventFX event) {
                    if (event.getEntity() instanceof LegendItemEntity item && item.getSeriesKey() instanceof String name) {
                        vm.toggle(name);
                    }
                }

                @Override
                public void chartMouseMoved(ChartMouseEventFX event) {
                }
            });
            viewers.put(kind, viewer);
            grid.add(viewer, i % 2, i / 2);
            i++;
        }
        setCenter(grid);
        vm.addListener(this::refresh);
        dark.addListener(o -> refresh());
    }

    /**
     * The window's view: sweep points grouped by method and allocation, then each snapshot as its own point,
     * following both lists as they change.
     */
    public CurvesView(ObservableList<SweepPoint> points, ObservableList<Project.Snapshot> snapshots) {
        this(points, p -> "", snapshots);
    }

    /** The window's view over its sweeps: one line per run, method and allocation; then the snapshots. */
    public CurvesView(SweepViewModel sweeps, ObservableList<Project.Snapshot> snapshots) {
        this(sweeps.points(), p -> {
            SweepViewModel.Run r = sweeps.runOf(p);
            return r == null ? "" : "run " + r.id();
        }, snapshots);
    }

    private CurvesView(ObservableList<SweepPoint> points, java.util.function.Function<SweepPoint, String> run,
                       ObservableList<Project.Snapshot> snapshots) {
        this(new CurvesViewModel());
        Runnable sync = () -> {
            List<CurveSeries> all = new ArrayList<>(CurvesViewModel.fromSweep(List.copyOf(points), run));
            all.addAll(CurvesViewModel.fromSnapshots(List.copyOf(snapshots)));
            vm.setSeries(all);
        };
        points.addListener((ListChangeListener<SweepPoint>) c -> sync.run());
        snapshots.addListener((ListChangeListener<Project.Snapshot>) c -> sync.run());
        sync.run();
    }

    /** The node id of a chart's viewer, e.g. {@code curvesAccuracyVsSparsity}. */
    public static String id(CurveKind kind) {
        StringBuilder b = new StringBuilder("curves");
        for (String part : kind.name().toLowerCase(java.util.Locale.ROOT).split("_")) {
            b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return b.toString();
    }

    public CurvesViewModel viewModel() {
        return vm;
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    public JFreeChart chart(CurveKind kind) {
        return viewers.get(kind).getChart();
    }

    public ChartViewer viewer(CurveKind kind) {
        return viewers.get(kind);
    }

    /** The accuracy-vs-sparsity series (for tests): the visible sweeps and snapshots, then the current point. */
    public XYSeriesCollection dataset() {
        return (XYSeriesCollection) ((XYPlot) chart(CurveKind.ACCURACY_VS_SPARSITY).getPlot()).getDataset();
    }

    private void refresh() {
        ChartTheme theme = dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT;
        viewers.forEach((kind, viewer) -> viewer.setChart(CurvesCharts.chart(kind, vm, theme)));
    }
}
