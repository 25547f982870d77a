package org.sparsitybench.ui.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.ui.common.FxTaskExecutor;

/**
 * State of the export dialog without any Node: where to write (a folder beside the model with a name that
 * clashes with nothing, and a base name), what to write (the pruned model in its own format with compaction and
 * sparse-storage options, its report with what the window measured for the result, the curves as CSV, each chart
 * offered by the caller), the validation message, the compaction check's result or refusal, and the files written. {@link #export()} runs as the
 * window's foreground task, with progress and cancel; the opened model is never written.
 */
public final class ExportViewModel {
    private final ExportRequestSource source;
    private final FxTaskExecutor executor;
    private final ObjectProperty<Path> folder = new SimpleObjectProperty<>(this, "folder");
    private final StringProperty baseName = new SimpleStringProperty(this, "baseName", "");
    private final BooleanProperty writeModel = new SimpleBooleanProperty(this, "writeModel", true);
    private final BooleanProperty writeReport = new SimpleBooleanProperty(this, "writeReport", true);
    private final BooleanProperty writeCurves = new SimpleBooleanProperty(this, "writeCurves", false);
    private final BooleanProperty compact = new SimpleBooleanProperty(this, "compact", false);
    private final BooleanProperty sparseStorage = new SimpleBooleanProperty(this, "sparseStorage", false);
    private final Map<ChartExporter, BooleanProperty> charts = new LinkedHashMap<>();
    private final javafx.beans.property.IntegerProperty chartWidth =
            new javafx.beans.property.SimpleIntegerProperty(this, "chartWidth", ChartOptions.DEFAULT.width());
    private final javafx.beans.property.IntegerProperty chartHeight =
            new javafx.beans.property.SimpleIntegerProperty(this, "chartHeight", ChartOptions.DEFAULT.height());
    private final ObjectProperty<org.sparsitybench.ui.common.ChartTheme> chartTheme =
            new SimpleObjectProperty<>(this, "chartTheme", ChartOptions.DEFAULT.theme());
    private final ReadOnlyStringWrapper validation = new ReadOnlyStringWrapper(this, "validation", "");
    private final ReadOnlyStringWrapper compaction = new ReadOnlyStringWrapper(this, "compaction", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running", false);
    private final ObservableList<Path> written = FXCollections.observableArrayList();
    private PruneExport.Report report;

    public ExportViewModel(ExportRequestSource source, FxTaskExecutor executor) {
        this.source = Objects.requireNonNull(source, "source");
        this.executor = Objects.requireNonNull(executor, "executor");
        for (ChartExporter c : source.charts()) {
            charts.put(c, new SimpleBooleanProperty(this, c.name(), true));
        }
        Path model = source.model().file().toAbsolutePath();
        String stem = stem(model);
        folder.set(defaultFolder(model));
        baseName.set(stem + "-pruned");
        writeCurves.set(!source.points().isEmpty());
        folder.addListener((o, a, b) -> validate());
        baseName.addListener((o, a, b) -> validate());
        writeModel.addListener((o, a, b) -> {
            if (!b) {
                writeReport.set(false);
                compact.set(false);
                sparseStorage.set(false);
            }
            validate();
        });
        writeReport.addListener((o, a, b) -> {
            if (b) {
                writeModel.set(true);
            }
            validate();
        });
        writeCurves.addListener((o, a, b) -> validate());
        compact.addListener((o, a, b) -> {
            compaction.set("");
            validate();
        });
        sparseStorage.addListener((o, a, b) -> validate());
        charts.values().forEach(p -> p.addListener((o, a, b) -> validate()));
        chartWidth.addListener((o, a, b) -> validate());
        chartHeight.addListener((o, a, b) -> validate());
        validate();
    }

    /**
     * A folder beside the model named {@code <model>-export}, or {@code -export-2}, {@code -3}, ... when that name
     * is taken, so an export never lands among earlier files.
     */
    public static Path defaultFolder(Path model) {
        Path dir = model.toAbsolutePath().getParent();
        String stem = stem(model);
        Path candidate = dir.resolve(stem + "-export");
        for (int i = 2; Files.exists(candidate); i++) {
            candidate = dir.resolve(stem + "-export-" + i);
        }
        return candidate;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    public ObjectProperty<Path> folderProperty() {
        return folder;
    }

    /** File names start with this: {@code NAME.onnx}, {@code NAME.onnx.report.json}, {@code NAME-curves.csv}. */
    public StringProperty baseNameProperty() {
        return baseName;
    }

    public BooleanProperty writeModelProperty() {
        return writeModel;
    }

    /** The report needs the written model (sizes and parameters after), so asking for it also asks for the model. */
    public BooleanProperty writeReportProperty() {
        return writeReport;
    }

    public BooleanProperty writeCurvesProperty() {
        return writeCurves;
    }

    public BooleanProperty compactProperty() {
        return compact;
    }

    public BooleanProperty sparseStorageProperty() {
        return sparseStorage;
    }

    /** Exported charts' width in pixels (default 1200). */
    public javafx.beans.property.IntegerProperty chartWidthProperty() {
        return chartWidth;
    }

    /** Exported charts' height in pixels (default 800). */
    public javafx.beans.property.IntegerProperty chartHeightProperty() {
        return chartHeight;
    }

    /** Exported charts' theme: light by default, whatever the window shows (a paper wants light). */
    public ObjectProperty<org.sparsitybench.ui.common.ChartTheme> chartThemeProperty() {
        return chartTheme;
    }

    /** Chart exporters in the caller's order, each with whether it is selected. */
    public Map<ChartExporter, BooleanProperty> charts() {
        return charts;
    }

    /** Whether compaction and sparse storage can be offered (they need an ONNX graph). */
    public boolean graphOptionsAvailable() {
        return source.model().format() == ModelFormat.ONNX;
    }

    /** Whether there are curve points for the CSV. */
    public boolean curvesAvailable() {
        return !source.points().isEmpty();
    }

    /** Why the export cannot start as set up; empty when it can. */
    public ReadOnlyStringProperty validationProperty() {
        return validation.getReadOnlyProperty();
    }

    /** The compaction check's result after an export, or the reason compaction was refused (naming the node). */
    public ReadOnlyStringProperty compactionProperty() {
        return compaction.getReadOnlyProperty();
    }

    /** The last error, naming the file; empty when none. */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** What happened last ("Wrote 3 files to …", "Export cancelled"). */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Files written by the last export, in order. */
    public ObservableList<Path> written() {
        return written;
    }

    /** The last report written, or null. */
    public PruneExport.Report report() {
        return report;
    }

    /** The model file an export writes: {@code folder/baseName.<model's extension>}. */
    public Path modelFile() {
        return folder.get().resolve(baseName.get().trim() + "." + source.model().format().id());
    }

    /** The curves file: {@code folder/baseName-curves.csv}. */
    public Path curvesFile() {
        return folder.get().resolve(baseName.get().trim() + "-curves.csv");
    }

    private void validate() {
        validation.set(problem());
    }

    private static boolean outside(int side) {
        return side < ChartOptions.MIN || side > ChartOptions.MAX;
    }

    private String problem() {
        if (folder.get() == null) {
            return "choose a folder";
        }
        String name = baseName.get() == null ? "" : baseName.get().trim();
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            return "'" + baseName.get() + "' is not a file name";
        }
        boolean chart = charts.values().stream().anyMatch(BooleanProperty::get);
        if (!writeModel.get() && !writeCurves.get() && !chart) {
            return "choose something to write";
        }
        if (chart && (outside(chartWidth.get()) || outside(chartHeight.get()))) {
            return "chart size " + chartWidth.get() + " × " + chartHeight.get() + ": each side " + ChartOptions.MIN
                    + " to " + ChartOptions.MAX + " pixels";
        }
        if (writeCurves.get() && !curvesAvailable()) {
            return "no measured points to write as curves (run a sweep or save snapshots first)";
        }
        if ((compact.get() || sparseStorage.get()) && !graphOptionsAvailable()) {
            return source.model().file() + ": compaction and sparse storage need an ONNX model; "
                    + source.model().format().id() + " holds weights only";
        }
        Path in = source.model().file().toAbsolutePath().normalize();
        for (Path out : List.of(modelFile(), PruneExport.reportFile(modelFile()), curvesFile())) {
            if (out.toAbsolutePath().normalize().equals(in)) {
                return out + " is the opened model; choose another name or folder";
            }
        }
        return "";
    }

    /** Cancels a running export; files written before stay, the file being written is not left half-done. */
    public void cancel() {
        if (running.get()) {
            executor.cancelForeground();
        }
    }

    /**
     * Writes what is selected: charts first (on the calling FX thread), then, as the window's foreground task,
     * the model and its report, then the curves.
     *
     * @return false when the setup is invalid or another long task runs (nothing started)
     */
    public boolean export() {
        validate();
        if (!validation.get().isEmpty() || running.get()) {
            return false;
        }
        error.set("");
        compaction.set("");
        status.set("");
        written.clear();
        report = null;
        Path dir = folder.get();
        String name = baseName.get().trim();
        List<Path> chartFiles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (Map.Entry<ChartExporter, BooleanProperty> c : charts.entrySet()) {
                if (c.getValue().get()) {
                    chartFiles.addAll(c.getKey().export(dir, name, new ChartOptions(chartWidth.get(), chartHeight.get(),
                            chartTheme.get())));
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(dir, e);
            return false;
        }
        written.addAll(chartFiles);
        boolean model = writeModel.get();
        boolean curves = writeCurves.get();
        Path modelOut = modelFile();
        Path csvOut = curvesFile();
        PruneExport.Options options = new PruneExport.Options(modelOut, compact.get(), sparseStorage.get());
        running.set(true);
        boolean started = executor.startForeground("Exporting to " + dir.getFileName(), (progress, cancel) ->
                ExportFiles.write(source, model ? options : null, curves ? csvOut : null, progress, cancel), done -> {
            running.set(false);
            report = done.report();
            List<Path> files = new ArrayList<>(done.files());
            if (!writeReport.get() && report != null) {
                try {
                    Files.deleteIfExists(report.file());
                    files.remove(report.file());
                } catch (IOException e) {
                    fail(report.file(), e);
                }
            }
            written.addAll(files);
            if (report != null) {
                report.compactionCheck().ifPresent(c -> compaction.set(ExportFiles.describe(c)));
            }
            status.set(String.format(Locale.ROOT, "Wrote %d file%s to %s", written.size(), written.size() == 1 ? "" : "s",
                    dir));
        }, e -> {
            running.set(false);
            if (e instanceof PruneExport.CompactionCheckException cc) {
                compaction.set(ExportFiles.describe(cc.result()));
            } else if (e instanceof org.sparsitybench.model.UnsupportedModelException && options.compact()) {
                compaction.set("Compaction refused: " + e.getMessage());
            }
            fail(model ? modelOut : csvOut, e);
        });
        if (!started) {
            running.set(false);
            fail(dir, new IllegalStateException("another long task is running; wait for it or cancel it"));
            return false;
        }
        if (running.get() && !executor.busyProperty().get()) {
            running.set(false);
            status.set("Export cancelled; files already written stay, none is half-written");
        } else if (running.get()) {
            // A cancelled task reports neither success nor failure: notice it when the executor goes idle.
            executor.busyProperty().addListener(new javafx.beans.value.ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends Boolean> o, Boolean was, Boolean now) {
                    if (!now) {
                        o.removeListener(this);
                        executor.onFx(() -> {
                            if (running.get()) {
                                running.set(false);
                                status.set("Export cancelled; files already written stay, none is half-written");
                            }
                        });
                    }
                }
            });
        }
        return true;
    }

    private void fail(Path file, Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String named = m.contains(file.toString()) || m.contains(file.getFileName().toString())
                || m.contains(source.model().file().toString()) ? m : file + ": " + m;
        error.set("");
        error.set(named);
    }
}
