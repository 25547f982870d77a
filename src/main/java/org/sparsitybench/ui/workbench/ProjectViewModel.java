package org.sparsitybench.ui.workbench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.model.Model;
import org.sparsitybench.project.Project;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.session.Autosave;
import org.sparsitybench.session.RecentFiles;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.ui.common.FxTaskExecutor;

/**
 * The session as files: the named snapshots, the {@code .sbproj} project, the autosave a crash leaves behind and
 * the recent-files list. The files themselves are written by the toolkit-free {@code project} and
 * {@code session} rooms; this keeps what the window shows of them.
 */
public final class ProjectViewModel {
    /** Longest time a change waits before it reaches the autosave file. */
    static final Duration AUTOSAVE_DELAY = Duration.ofSeconds(10);
    private final WorkbenchViewModel workbench;
    private final Autosave autosave;
    private final RecentFiles recent;
    private final ObservableList<Path> recentFiles = FXCollections.observableArrayList();
    private final ObservableList<Project.Snapshot> snapshots = FXCollections.observableArrayList();
    private final javafx.beans.property.ReadOnlyStringWrapper status =
            new javafx.beans.property.ReadOnlyStringWrapper(this, "status", "");
    private volatile String modelSha256;
    /** Whether the session changed since it was opened (an untouched session needs no recovery). */
    private boolean dirty;
    /** A recovered session is unsaved work from the start: it is autosaved at once. */
    private boolean recovering;
    /** The snapshots as the project file last saved or opened holds them. */
    private List<Project.Snapshot> savedSnapshots = List.of();

    /**
     * @param userDir the folder of the autosave and the recent-files list; null keeps neither (tests)
     */
    ProjectViewModel(WorkbenchViewModel workbench, Path userDir, Duration autosaveDelay) {
        this.workbench = workbench;
        this.autosave = userDir == null ? null : new Autosave(userDir, autosaveDelay);
        this.recent = userDir == null ? null : new RecentFiles(userDir);
        if (recent != null) {
            recentFiles.setAll(recent.list());
        }
    }

    /** The project file last saved or opened and the model it names, for the title bar; null before either. */
    public record ProjectFile(Path file, Path model) {
    }

    private final javafx.beans.property.ReadOnlyObjectWrapper<ProjectFile> projectFile =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "projectFile");

    public javafx.beans.property.ReadOnlyObjectProperty<ProjectFile> projectFileProperty() {
        return projectFile.getReadOnlyProperty();
    }

    /** Recently opened models and projects, newest first (empty without a user folder). */
    public ObservableList<Path> recentFiles() {
        return recentFiles;
    }

    /** The autosave of this session, or null without a user folder. */
    public Autosave autosave() {
        return autosave;
    }

    /** Named configurations saved in this session (and in its project file). */
    public ObservableList<Project.Snapshot> snapshots() {
        return snapshots;
    }

    /** Saves the current configuration and its last measured results under {@code name}. */
    public void saveSnapshot(String name) {
        WorkbenchFrame f = workbench.frameProperty().get();
        EvaluationViewModel ev = workbench.evaluation();
        Evaluation e = ev.evaluationProperty().get();
        Latency l = ev.latencyProperty().get();
        boolean measured = e != null && ev.isIdle();
        snapshots.add(new Project.Snapshot(name, workbench.configProperty().get(),
                f == null ? 0 : f.result().achievedSparsity(), measured ? e.accuracy() : null,
                measured ? e.loss() : null, measured && l != null ? l.medianMs() : null,
                f == null ? null : f.keptParams(), f == null ? null : f.storage().sparseStorageBytes(),
                workbench.precision().config().isPresent() ? workbench.precision().snapshot() : null,
                usesSensitivity(workbench.configProperty().get()) ? List.copyOf(workbench.sensitivity().curves()) : null,
                f == null || f.recovered() == null ? null : f.recovered().described(),
                measured && l != null ? l.p10Ms() : null, measured && l != null ? l.p90Ms() : null));
        status.set(String.format(java.util.Locale.ROOT, "Saved snapshot '%s' (%d in this session%s)", name,
                snapshots.size(), measured ? "" : "; accuracy was still being measured, so it is not recorded"));
        changed();
    }

    /**
     * Brings a snapshot back as the configuration shown (one undoable step) with the per-layer precisions it was
     * saved with (all float32 when it recorded none) and the sensitivity curves its masks need.
     */
    public void restoreSnapshot(Project.Snapshot s) {
        if (s.sensitivity() != null) {
            workbench.sensitivity().setCurves(s.sensitivity());
        }
        workbench.precision().restore(s.precision());
        workbench.bar().setConfiguration(s.config());
        status.set("Restored snapshot '" + s.name() + "'" + (s.precision() == null ? "" : " with its precisions"));
        changed();
    }

    /** Whether recomputing the configuration's masks needs the sensitivity curves. */
    private static boolean usesSensitivity(org.sparsitybench.prune.PruningConfig c) {
        return c.global().allocation() == org.sparsitybench.prune.Allocation.SENSITIVITY;
    }

    /** What was last saved ("Saved snapshot 'half' (2 in this session)"), for the window's status line. */
    public javafx.beans.property.ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /**
     * Whether closing the session now would lose work: snapshots that no project file holds as they are (taken
     * since the project was saved or opened, or all of a recovered session's).
     */
    public boolean hasUnsavedWork() {
        return !snapshots.isEmpty() && !snapshots.equals(savedSnapshots);
    }

    /** The next snapshot's default name. */
    public String nextSnapshotName() {
        return "Snapshot " + (snapshots.size() + 1);
    }

    /** The session as a project: model, dataset, configuration and snapshots (absolute paths). */
    public Project state() {
        Model m = workbench.modelProperty().get();
        if (m == null) {
            return null;
        }
        Path data = workbench.datasetPath();
        return new Project(Project.FORMAT, Project.VERSION, m.file().toAbsolutePath().normalize().toString(),
                modelSha256, data == null ? null : data.toAbsolutePath().normalize().toString(),
                workbench.configProperty().get(), List.copyOf(snapshots)).withResults(workbench.sweep().records(),
                workbench.sensitivity().curves());
    }

    /** Writes the session to a {@code .sbproj} file (model path and hash, dataset, configuration, snapshots). */
    public void saveProject(Path file) {
        Model m = workbench.modelProperty().get();
        if (m == null) {
            workbench.fail(file + ": open a model before saving a project");
            return;
        }
        try {
            // The hash from opening, when the background pass has it: hashing a 2 GB model here froze the window.
            String sha = modelSha256;
            Path data = workbench.datasetPath();
            var config = workbench.configProperty().get();
            // The results go too, so a reopened project shows its sweeps and sensitivity without rerunning them.
            ProjectFiles.write(file, (sha != null ? ProjectFiles.create(file, m.file(), sha, data, config, snapshots)
                    : ProjectFiles.create(file, m.file(), data, config, snapshots)).withResults(
                    workbench.sweep().records(), workbench.sensitivity().curves()));
            projectFile.set(new ProjectFile(file, m.file()));
            savedSnapshots = List.copyOf(snapshots);
        } catch (IOException | RuntimeException e) {
            workbench.fail(FxTaskExecutor.describe(e));
        }
    }

    /**
     * Opens a project: its model, then its configuration and snapshots. A model whose hash changed since the
     * project was saved is reported and not opened.
     */
    public boolean openProject(Path file) {
        return openProject(file, file);
    }

    /**
     * Restores a session from an autosave left by a process that ended without closing: its model,
     * configuration and snapshots. A changed model is reported, as for a project.
     */
    public boolean recover(Path autosaveFile) {
        recovering = true;
        boolean started = openProject(autosaveFile, null);
        if (!started) {
            recovering = false;
        }
        return started;
    }

    private boolean openProject(Path file, Path remember) {
        ProjectFiles.Opened opened;
        try {
            opened = ProjectFiles.read(file);
        } catch (IOException | RuntimeException e) {
            workbench.fail(FxTaskExecutor.describe(e));
            return false;
        }
        if (opened.modelChanged()) {
            workbench.fail(file + ": the model " + opened.model() + " changed since the project was saved (SHA-256 "
                    + "differs); open the model itself to start afresh");
            return false;
        }
        boolean started = workbench.open(opened.model(), remember, opened.project(), opened.dataset());
        if (started && remember != null) {
            projectFile.set(new ProjectFile(file, opened.model()));
        }
        return started;
    }

    /** A clean end of the session: the autosave is deleted. */
    public void close() {
        if (autosave != null) {
            autosave.close();
        }
    }

    /** A model opened (from a project when {@code from} is not null). */
    void opened(Model m, Path remember, Project from) {
        modelSha256 = null;
        snapshots.setAll(from != null ? from.snapshots() : List.of());
        savedSnapshots = recovering ? List.of() : List.copyOf(snapshots);
        // The last line was about the session that just ended ("Saved snapshot 'Snapshot 1' (1 in this session)").
        status.set(from == null || snapshots.isEmpty() ? "" : String.format(java.util.Locale.ROOT,
                "Opened with %d snapshot%s", snapshots.size(), snapshots.size() == 1 ? "" : "s"));
        if (from != null) {
            workbench.sweep().restore(from.sweeps());
            if (from.sensitivity() != null) {
                workbench.sensitivity().setCurves(from.sensitivity());
                workbench.sensitivityKnown(from.sensitivity());
            }
        }
        if (remember != null && recent != null) {
            recentFiles.setAll(recent.add(remember));
        }
        dirty = recovering;
        recovering = false;
        hashInBackground(m.file());
        offerAutosave();
    }

    /** A data set opened for the model. */
    void datasetOpened(Path file) {
        if (recent != null) {
            recentFiles.setAll(recent.add(file));
        }
        changed();
    }

    /** The session changed (a configuration step, a snapshot): it needs recovering after a crash. */
    void changed() {
        dirty = true;
        offerAutosave();
    }

    private void offerAutosave() {
        if (autosave != null && dirty) {
            Project p = state();
            if (p != null) {
                autosave.offer(p);
            }
        }
    }

    /** The model's hash, for projects and autosaves, without holding up the first view. */
    private void hashInBackground(Path file) {
        FxTaskExecutor executor = workbench.executor();
        executor.submit((progress, cancel) -> ProjectFiles.sha256(file), CancellationToken.newSource(),
                ProgressListener.NONE, h -> {
                    Model m = workbench.modelProperty().get();
                    if (m != null && m.file().equals(file)) {
                        modelSha256 = h;
                        offerAutosave();
                    }
                }, e -> { });
    }
}
