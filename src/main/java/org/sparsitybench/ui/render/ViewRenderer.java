package org.sparsitybench.ui.render;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.sparsitybench.eval.ConfigurationMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.ui.common.ChartExport;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.heatmap.HeatmapMode;
import org.sparsitybench.ui.heatmap.HeatmapViewModel;
import org.sparsitybench.ui.curves.CurveKind;
import org.sparsitybench.ui.curves.CurvePoint;
import org.sparsitybench.ui.curves.CurvesCharts;
import org.sparsitybench.ui.curves.CurvesViewModel;
import org.sparsitybench.ui.overview.OverviewCharts;
import org.sparsitybench.ui.overview.OverviewViewModel;
import org.sparsitybench.ui.sensitivity.SensitivityCharts;
import org.sparsitybench.ui.sensitivity.SensitivityViewModel;

/**
 * Renders the workbench's main views (distribution, heatmap, model overview, curves, sensitivity) to PNG files
 * without a window: every chart is the same JFreeChart the view shows, drawn through Java2D, and the heatmap is
 * painted as the view paints it, so the command works on a machine with no display and no JavaFX platform.
 * {@link #measure} does the engine and ONNX Runtime work once; {@link #write} draws it in one theme.
 */
public final class ViewRenderer {
    /** Width of every image. */
    public static final int WIDTH = 1200;
    /** Height of the single-chart images. */
    public static final int HEIGHT = 720;
    /** The views, in the order they are written; each writes {@code NAME-THEME.png}. */
    public static final List<String> VIEWS = List.of("distribution", "heatmap", "overview", "curves", "sensitivity");

    private ViewRenderer() {
    }

    /**
     * What to measure.
     *
     * @param sparsity          the current configuration: magnitude pruning, uniform allocation, at this target
     * @param layer             the layer the distribution and heatmap show; null = the largest prunable layer
     * @param limit             samples evaluated per measured point
     * @param latencyRuns       timed runs per point (0 = no latency: the latency charts say so)
     * @param sweepMethods      methods swept for the curves (see {@link Sweep#METHODS})
     * @param sweepLevels       levels of the sweeps
     * @param sensitivityLevels levels of the sensitivity table
     */
    public record Options(double sparsity, String layer, int limit, int latencyRuns, List<String> sweepMethods,
                          List<Double> sweepLevels, List<Double> sensitivityLevels) {
        public Options {
            if (!(sparsity >= 0 && sparsity <= 1)) {
                throw new IllegalArgumentException("sparsity " + sparsity + " outside [0, 1]");
            }
            if (limit < 1 || latencyRuns < 0) {
                throw new IllegalArgumentException("limit " + limit + " and latency runs " + latencyRuns
                        + ": need limit >= 1 and runs >= 0");
            }
            sweepMethods = List.copyOf(sweepMethods);
            sweepLevels = List.copyOf(sweepLevels);
            sensitivityLevels = List.copyOf(sensitivityLevels);
        }

        /**
         * Magnitude, random and L1-structured (whose compacted models run faster) swept 0–90 % in steps of 10 %,
         * sensitivity at {@link Sensitivity#DEFAULT_LEVELS}, on 2,000 samples, 20 timed runs per point.
         */
        public static Options defaults(double sparsity) {
            return new Options(sparsity, null, 2000, 20, List.of("magnitude", "random", "l1-structured"), List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
                    Sensitivity.DEFAULT_LEVELS);
        }
    }

    /**
     * Everything the views show for one model and configuration, measured.
     *
     * @param model       model name (file name)
     * @param result      the engine's result at the configuration
     * @param layer       the layer shown by distribution and heatmap
     * @param histogram   its weight histogram
     * @param heatmap     its heatmap grid
     * @param threshold   its magnitude threshold (NaN when none)
     * @param sweep       sweep points (empty without data)
     * @param current     the configuration's measured point (null without data)
     * @param sensitivity per-layer curves (empty without data)
     * @param classes     classes the model card lists (chance level for the Pareto front), 0 when unknown
     */
    public record Measured(String model, PruningResult result, String layer, WeightHistogram histogram, HeatmapGrid heatmap,
                           double threshold, List<SweepPoint> sweep, CurvePoint current,
                           List<Sensitivity.LayerCurve> sensitivity, int classes) {
        /** Without the number of classes: every measured point may be on the front. */
        public Measured(String model, PruningResult result, String layer, WeightHistogram histogram,
                        HeatmapGrid heatmap, double threshold, List<SweepPoint> sweep, CurvePoint current,
                        List<Sensitivity.LayerCurve> sensitivity) {
            this(model, result, layer, histogram, heatmap, threshold, sweep, current, sensitivity, 0);
        }
    }

    /**
     * Prunes {@code modelFile} at the options' sparsity and, when a model card with test data lies beside it,
     * runs the sweeps, the sensitivity analysis and the configuration's own evaluation.
     */
    public static Measured measure(Path modelFile, Options o, ProgressListener progress, CancellationToken cancel)
            throws Exception {
        Model model = ModelFiles.read(modelFile);
        PruningEngine engine = new PruningEngine(model, new ScoreCache(false), null);
        PruningResult result = engine.run(PruningConfig.of(GlobalSettings.of(o.sparsity(), "magnitude", Allocation.UNIFORM)),
                ProgressListener.NONE, cancel);
        WeightTensor layer = pick(model, o.layer());
        Mask mask = result.masks().get(layer.name());
        WeightHistogram h = WeightHistogram.of(layer.data(), mask, 80, false, WeightHistogram.Scale.LINEAR, cancel);
        HeatmapGrid grid = HeatmapViewModel.compute(layer, mask, HeatmapMode.WEIGHTS, cancel);
        double threshold = mask instanceof ThresholdMask tm && tm.score().isMagnitude() && tm.prunedCount() > 0
                ? tm.threshold().value() : Double.NaN;
        List<SweepPoint> sweep = List.of();
        CurvePoint current = null;
        List<Sensitivity.LayerCurve> sensitivity = List.of();
        ModelCard card = model.format() == ModelFormat.ONNX ? ModelCard.beside(modelFile).orElse(null) : null;
        Path test = card == null ? null : card.testData(modelFile).orElse(null);
        if (test != null) {
            LabeledData data = Datasets.open(test);
            ConfigurationMeter meter = new ConfigurationMeter(model, card, data);
            progress.progress(0.05, "sweeping magnitude and random");
            sweep = Sweep.run(meter, o.sweepMethods(), Allocation.UNIFORM, o.sweepLevels(),
                    o.latencyRuns(), o.limit(), ProgressListener.NONE, cancel, p -> { });
            progress.progress(0.5, "measuring the configuration");
            ConfigurationMeter.Measurement e = meter.measure(result, o.limit(), o.latencyRuns(), ProgressListener.NONE,
                    cancel);
            current = new CurvePoint(result.achievedSparsity(), e.evaluation().accuracy(), e.evaluation().loss(),
                    e.latencyMs(), e.latency() == null ? Double.NaN : e.latency().p10Ms(),
                    e.latency() == null ? Double.NaN : e.latency().p90Ms());
            progress.progress(0.6, "measuring per-layer sensitivity");
            // Sensitivity chooses, so it reads the validation split; without one the view stays empty.
            var validation = DataSplits.validation(card, modelFile);
            if (validation.isPresent()) {
                sensitivity = Sensitivity.analyze(new ConfigurationMeter(model, card, validation.get().data()),
                        o.sensitivityLevels(), o.limit(), ProgressListener.NONE, cancel);
            }
        }
        progress.progress(1, "measured");
        return new Measured(displayName(modelFile), result, layer.name(), h, grid, threshold, sweep, current,
                sensitivity, card == null ? 0 : card.classes(0));
    }

    /** "fashion-lenet5" for sample-models/fashion-lenet5/model.onnx; the file name otherwise. */
    public static String displayName(Path modelFile) {
        Path abs = modelFile.toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        return name.startsWith("model.") && abs.getParent() != null && abs.getParent().getFileName() != null
                ? abs.getParent().getFileName().toString() : name;
    }

    private static WeightTensor pick(Model model, String name) {
        List<WeightTensor> layers = model.prunableTensors();
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(model.file() + ": no prunable layer to show");
        }
        if (name == null) {
            return layers.stream().max(Comparator.comparingLong(WeightTensor::elementCount)).orElseThrow();
        }
        return layers.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                model.file() + ": no prunable layer '" + name + "'; one of "
                        + layers.stream().map(WeightTensor::name).toList()));
    }

    /**
     * Writes one PNG per view into {@code dir} ({@code distribution-light.png}, ...), atomically.
     *
     * @return the files written, in {@link #VIEWS} order
     */
    public static List<Path> write(Measured m, ChartTheme theme, Path dir) throws IOException {
        Objects.requireNonNull(m, "measured");
        Files.createDirectories(dir);
        String suffix = "-" + theme.name().toLowerCase(Locale.ROOT) + ".png";
        List<Path> out = new ArrayList<>();
        for (String view : VIEWS) {
            Path file = dir.resolve(view + suffix);
            ChartExport.png(image(view, m, theme), file);
            out.add(file);
        }
        return out;
    }

    /** One view as an image. */
    public static BufferedImage image(String view, Measured m, ChartTheme theme) {
        return switch (view) {
            case "distribution" -> draw(DistributionChart.chart(m.layer(), m.histogram(), m.threshold(), theme), WIDTH, HEIGHT);
            case "heatmap" -> HeatmapImage.paint(m.layer(), m.heatmap(), theme, WIDTH, HEIGHT);
            case "overview" -> {
                OverviewViewModel vm = new OverviewViewModel();
                vm.setRows(OverviewViewModel.fromResult(m.result()));
                yield draw(OverviewCharts.chart(vm.rows(), m.model() + ":  " + vm.summary(), theme), WIDTH,
                        Math.max(480, OverviewCharts.preferredHeight(vm.rows().size())));
            }
            case "curves" -> curves(m, theme);
            case "sensitivity" -> sensitivity(m, theme);
            default -> throw new IllegalArgumentException("view '" + view + "': one of " + VIEWS);
        };
    }

    /** The curves view's model for measured results: the two sweeps and the current point. */
    public static CurvesViewModel curvesModel(Measured m) {
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(CurvesViewModel.fromSweep(m.sweep()));
        vm.setCurrent(m.current());
        vm.setClasses(m.classes());
        return vm;
    }

    private static BufferedImage curves(Measured m, ChartTheme theme) {
        CurvesViewModel vm = curvesModel(m);
        int w = WIDTH / 2;
        int h = 430;
        BufferedImage img = ChartExport.canvas(WIDTH, 2 * h);
        Graphics2D g = ChartExport.graphics(img);
        int i = 0;
        for (CurveKind kind : CurveKind.values()) {
            JFreeChart chart = CurvesCharts.chart(kind, vm, theme);
            chart.draw(g, new Rectangle2D.Double((i % 2) * w, (i / 2) * h, w, h));
            i++;
        }
        g.dispose();
        return img;
    }

    private static BufferedImage sensitivity(Measured m, ChartTheme theme) {
        SensitivityViewModel vm = new SensitivityViewModel();
        vm.setCurves(m.sensitivity());
        int top = 420;
        int table = SensitivityCharts.preferredTableHeight(vm.layers().size());
        BufferedImage img = ChartExport.canvas(WIDTH, top + table);
        Graphics2D g = ChartExport.graphics(img);
        SensitivityCharts.curves(vm, theme).draw(g, new Rectangle2D.Double(0, 0, WIDTH, top));
        SensitivityCharts.table(vm, theme).draw(g, new Rectangle2D.Double(0, top, WIDTH, table));
        g.dispose();
        return img;
    }

    private static BufferedImage draw(JFreeChart chart, int width, int height) {
        BufferedImage img = ChartExport.canvas(width, height);
        Graphics2D g = ChartExport.graphics(img);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        g.dispose();
        return img;
    }
}
