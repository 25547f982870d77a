package org.sparsitybench.ui.workbench;

import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.ChartViewers;
import org.sparsitybench.ui.common.Converters;
import org.sparsitybench.ui.curves.CurvePoint;
import org.sparsitybench.ui.curves.CurvesView;
import org.sparsitybench.ui.distribution.DistributionView;
import org.sparsitybench.ui.distribution.SmallMultiplesView;
import org.sparsitybench.ui.export.ChartExporter;
import org.sparsitybench.ui.heatmap.HeatmapMode;
import org.sparsitybench.ui.heatmap.HeatmapView;
import org.sparsitybench.ui.overview.OverviewView;
import org.sparsitybench.ui.overview.OverviewViewModel;
import org.sparsitybench.ui.curves.SweepViewModel;
import org.sparsitybench.ui.quantize.PrecisionCurvesView;
import org.sparsitybench.ui.quantize.PrecisionSweepViewModel;
import org.sparsitybench.ui.quantize.SpeedHelpViewModel;
import org.sparsitybench.ui.recovery.RecoveryView;
import org.sparsitybench.ui.sweep.SweepOptionsView;
import org.sparsitybench.ui.sensitivity.SensitivityView;

/**
 * The views on the right of the window, one tab per pane: distribution, all layers, heatmap, overview, curves,
 * sensitivity. Each binds to its pane's view model; the frame reaches them through it.
 */
final class WorkbenchTabs extends TabPane {
    private final DistributionView distribution;
    private final HeatmapView heatmap = new HeatmapView();
    private final CurvesView curves;
    private final SmallMultiplesView smallMultiples = new SmallMultiplesView();
    private final OverviewView overview = new OverviewView(new OverviewViewModel());
    private final SensitivityView sensitivity;
    private final WorkbenchViewModel vm;
    private final Tab recover;
    private final PrecisionSweepViewModel precisionSweep;
    private final PrecisionCurvesView precisionCurves;
    private final SpeedHelpViewModel speedHelp;
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);

    WorkbenchTabs(WorkbenchViewModel vm) {
        this.vm = vm;
        var dvm = vm.distribution();
        distribution = new DistributionView(dvm);
        curves = new CurvesView(vm.sweep(), vm.project().snapshots());
        sensitivity = new SensitivityView(vm.sensitivity());
        CheckBox logCounts = new CheckBox("log counts");
        logCounts.setId("logCounts");
        logCounts.setTooltip(new Tooltip("Count weights on a logarithmic axis, to see the tails."));
        logCounts.selectedProperty().bindBidirectional(dvm.logCountsProperty());
        CheckBox signed = new CheckBox("signed w");
        signed.setId("signedWeights");
        signed.setTooltip(new Tooltip("Show signed weights instead of their magnitudes (the threshold then sits at ±t)."));
        signed.selectedProperty().bindBidirectional(dvm.signedProperty());
        HBox options = new HBox(12, logCounts, signed);
        options.setPadding(new Insets(4, 8, 4, 8));
        BorderPane dist = new BorderPane(distribution);
        dist.setTop(options);
        Tab d = tab("Distribution", "tabDistribution", dist);

        ComboBox<HeatmapMode> mode = new ComboBox<>();
        mode.setId("heatmapMode");
        mode.getItems().addAll(HeatmapMode.values());
        mode.setConverter(Converters.showing(m -> switch (m) {
            case WEIGHTS -> "weights [out × in·kh·kw]";
            case KERNELS -> "one cell per kernel (Conv)";
            case CHANNELS -> "one cell per output channel";
            case CHANGE -> "|Ŵ − W| on kept cells (reconstruction)";
        }));
        mode.valueProperty().bindBidirectional(vm.heatmap().modeProperty());
        mode.setTooltip(new Tooltip("What one heatmap cell covers: weights, whole kernels, or whole output channels "
                + "as structured pruning removes them."));
        HBox heatOptions = new HBox(8, new Label("Cells"), mode);
        heatOptions.setAlignment(Pos.CENTER_LEFT);
        heatOptions.setPadding(new Insets(4, 8, 4, 8));
        heatmap.gridProperty().bind(vm.heatmap().gridProperty());
        heatmap.captionProperty().bind(vm.heatmap().captionProperty());
        heatmap.layerProperty().bind(Bindings.createStringBinding(() -> vm.frameProperty().get() == null
                || vm.frameProperty().get().layer() == null ? "" : vm.frameProperty().get().layer(), vm.frameProperty()));
        BorderPane heat = new BorderPane(heatmap);
        heat.setTop(heatOptions);
        Tab h = tab("Heatmap", "tabHeatmap", heat);

        BorderPane curvesPane = new BorderPane(curves);
        curvesPane.setTop(new SweepOptionsView(vm.sweep(), () -> vm.runSweep(List.copyOf(vm.sweep().methods()),
                SweepViewModel.LEVELS), vm.cannotMeasureProperty().isNotEmpty().or(vm.executor().busyProperty())));
        precisionSweep = new PrecisionSweepViewModel(vm.executor(), vm::fail);
        precisionCurves = new PrecisionCurvesView(precisionSweep, () -> precisionSweep.run(vm.validationUnderTest(),
                org.sparsitybench.eval.DataSplits.VALIDATION, PrecisionSweepViewModel.LEVELS,
                PrecisionSweepViewModel.SAMPLES));
        precisionCurves.measureButton().disableProperty().bind(vm.cannotMeasureProperty().isNotEmpty()
                .or(vm.executor().busyProperty()));
        speedHelp = new SpeedHelpViewModel(vm.executor(), vm::fail);
        vm.modelProperty().addListener(o -> {
            precisionSweep.clear();
            speedHelp.clear();
        });
        // Six charts do not fit the tab at 1280 × 800 without squashing the plots to nothing: each keeps a readable
        // height and the tab scrolls.
        curvesPane.setMinHeight(620);
        precisionCurves.setMinHeight(320);
        javafx.scene.layout.VBox curvesColumn = new javafx.scene.layout.VBox(curvesPane, precisionCurves);
        javafx.scene.layout.VBox.setVgrow(curvesPane, javafx.scene.layout.Priority.ALWAYS);
        javafx.scene.control.ScrollPane curvesScroll = new javafx.scene.control.ScrollPane(curvesColumn);
        curvesScroll.setFitToWidth(true);
        curvesScroll.setFitToHeight(true);
        curvesScroll.setId("curvesScroll");
        Tab c = tab("Curves", "tabCurves", curvesScroll);
        vm.evaluation().evaluationProperty().addListener(o -> showCurrentPoint());
        vm.evaluation().latencyProperty().addListener(o -> showCurrentPoint());
        // Chance level from the model card: a model that guesses is never on the Pareto front.
        vm.modelProperty().addListener((o, a, m) -> curves.viewModel().setClasses(m == null
                || vm.modelUnderTest().card() == null ? 0 : vm.modelUnderTest().card().classes(0)));
        vm.frameProperty().addListener((o, a, f) -> {
            if (f != null) {
                overview.viewModel().setRows(OverviewViewModel.fromResult(f.result()));
            }
        });
        Tab all = tab("All layers", "tabAllLayers", smallMultiples);
        dvm.allLayersProperty().bind(all.selectedProperty());
        smallMultiples.tilesProperty().bind(dvm.tilesProperty());
        smallMultiples.setOnSelect(name -> {
            var row = vm.layers().row(name);
            if (row != null) {
                vm.layers().selectedProperty().set(row);
            }
        });
        Tab ov = tab("Overview", "tabOverview", overview);
        Tab se = tab("Sensitivity", "tabSensitivity", sensitivity);
        recover = tab("Recover", "tabRecover", new RecoveryView(vm.recovery()));
        getTabs().addAll(d, all, h, ov, c, se, recover);
        setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        setId("viewTabs");
        for (BooleanProperty p : List.of(distribution.darkProperty(), curves.darkProperty(), precisionCurves.darkProperty(),
                smallMultiples.darkProperty(), overview.darkProperty(), sensitivity.darkProperty())) {
            p.bind(dark);
        }
        // A chart's canvas shows the theme's background until drawn, and is drawn again when its tab is shown.
        getSelectionModel().selectedItemProperty().addListener((o, a, shown) -> {
            if (shown != null) {
                ChartViewers.repaint(shown.getContent(), dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT);
            }
        });
        Runnable repaintAll = () -> getTabs().forEach(t -> ChartViewers.repaint(t.getContent(),
                dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT));
        dark.addListener(o -> repaintAll.run());
        repaintAll.run();
    }

    private static Tab tab(String title, String id, javafx.scene.Node content) {
        Tab t = new Tab(title, content);
        t.setId(id);
        return t;
    }

    /** The Curves tab's sparsity × precision sweep. */
    PrecisionSweepViewModel precisionSweep() {
        return precisionSweep;
    }

    /** Help ▸ Speed and size on this CPU: its measured INT8-vs-float figures for the open model. */
    SpeedHelpViewModel speedHelp() {
        return speedHelp;
    }

    /** Brings the Recover pane to the front. */
    void showRecover() {
        getSelectionModel().select(recover);
    }

    /** The charts follow the dark theme while this is set. */
    BooleanProperty darkProperty() {
        return dark;
    }

    /** Every chart the tabs show now, for the export dialog. */
    List<ChartExporter> charts() {
        return WindowCharts.of(new WindowCharts.Panes(vm.modelProperty().get(), vm.frameProperty().get().result(),
                vm.distribution(), overview.viewModel(), curves.viewModel(), vm.sensitivity(), precisionSweep));
    }

    private void showCurrentPoint() {
        WorkbenchFrame f = vm.frameProperty().get();
        var e = vm.evaluation().evaluationProperty().get();
        var l = vm.evaluation().latencyProperty().get();
        curves.viewModel().setCurrent(f == null || e == null ? null : new CurvePoint(f.result().achievedSparsity(),
                e.accuracy(), e.loss(), l == null ? Double.NaN : l.medianMs(), l == null ? Double.NaN : l.p10Ms(),
                l == null ? Double.NaN : l.p90Ms()));
    }
}
