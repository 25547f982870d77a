package org.sparsitybench.project;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.prune.PruningConfig;

/**
 * The saved workbench state ({@code .sbproj}, JSON): which model (path and SHA-256, so a changed file is
 * noticed), which dataset, the full pruning configuration and the named snapshots.
 *
 * @param format      always {@link #FORMAT}
 * @param version     file version, {@link #VERSION}
 * @param model       model path, relative to the project file when it lies beside or below it
 * @param modelSha256 lower-case hex SHA-256 of the model file when saved
 * @param dataset     dataset path (relative like the model), or null
 * @param config      the pruning configuration
 * @param snapshots   saved configurations with their measured results
 * @param sweeps      the sweeps measured in the session (each run with its id, label and points), so a reopened
 *                    project shows its curves without running them again; empty when none
 * @param sensitivity the per-layer sensitivity curves of the session's analysis, or null when none ran
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Project(String format, int version, String model, String modelSha256, String dataset,
                     PruningConfig config, List<Snapshot> snapshots, List<SweepRun> sweeps,
                     List<Sensitivity.LayerCurve> sensitivity) {
    public static final String FORMAT = "sparsitybench-project";
    public static final int VERSION = 1;
    public static final String EXTENSION = ".sbproj";

    public Project {
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
        sweeps = sweeps == null ? List.of() : List.copyOf(sweeps);
        sensitivity = sensitivity == null || sensitivity.isEmpty() ? null : List.copyOf(sensitivity);
    }

    /** A project without sweep or sensitivity results. */
    public Project(String format, int version, String model, String modelSha256, String dataset,
                   PruningConfig config, List<Snapshot> snapshots) {
        this(format, version, model, modelSha256, dataset, config, snapshots, null, null);
    }

    /** This project with the session's results (not modified: a copy). */
    public Project withResults(List<SweepRun> sweepRuns, List<Sensitivity.LayerCurve> curves) {
        return new Project(format, version, model, modelSha256, dataset, config, snapshots, sweepRuns, curves);
    }

    /**
     * One sweep as the window ran it: its id and label in the session ("run 2: magnitude + random / uniform at
     * 11:02:10") and the points it measured, in the order they finished.
     */
    public record SweepRun(int id, String label, List<SweepPoint> points) {
        public SweepRun {
            points = points == null ? List.of() : List.copyOf(points);
        }
    }

    /**
     * A named configuration and what was measured for it.
     *
     * @param name     user's name for it
     * @param config   the configuration
     * @param achieved achieved sparsity
     * @param accuracy measured top-1 accuracy, or null when not measured
     * @param loss     measured loss, or null
     * @param latencyMs median latency of the pruned model as stored (batch 1, one thread), or null
     * @param keptParams weights kept in the prunable layers, or null
     * @param sparseBytes estimated size of the weights with sparse storage (kept values + an int64 index each, for
     *                    the tensors that makes smaller; see {@code OnnxWriter.sparseInitializerBytes}), or null
     * @param precision per-layer precision ({@code float}, {@code int8}, {@code int4}) by weight name, or null when
     *                  every layer was float32
     * @param sensitivity the sensitivity curves a sensitivity-guided configuration was pruned with (what
     *                    recomputing its masks needs), or null when the configuration does not use them
     * @param weights   which weights the figures were measured on when they were not the configuration's one-shot
     *                  (masked) ones, e.g. "recovered: epoch 3 of 3, best on validation" after a Recover run (the
     *                  recovered values are not stored: export the recovered model to keep them); null for one-shot
     * @param latencyP10Ms 10th percentile of the timed runs behind {@code latencyMs}, or null (older files)
     * @param latencyP90Ms 90th percentile of the timed runs behind {@code latencyMs}, or null (older files)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Snapshot(String name, PruningConfig config, double achieved, Double accuracy, Double loss,
                           Double latencyMs, Long keptParams, Long sparseBytes, java.util.Map<String, String> precision,
                           List<Sensitivity.LayerCurve> sensitivity, String weights, Double latencyP10Ms,
                           Double latencyP90Ms) {
        public Snapshot {
            sensitivity = sensitivity == null ? null : List.copyOf(sensitivity);
        }

        /** A snapshot whose latency spread was not recorded. */
        public Snapshot(String name, PruningConfig config, double achieved, Double accuracy, Double loss,
                        Double latencyMs, Long keptParams, Long sparseBytes, java.util.Map<String, String> precision,
                        List<Sensitivity.LayerCurve> sensitivity, String weights) {
            this(name, config, achieved, accuracy, loss, latencyMs, keptParams, sparseBytes, precision, sensitivity,
                    weights, null, null);
        }

        /** Whether the latency comes with its spread (both percentiles recorded). */
        public boolean hasLatencySpread() {
            return latencyMs != null && latencyP10Ms != null && latencyP90Ms != null;
        }

        /** A snapshot of one-shot (masked) weights. */
        public Snapshot(String name, PruningConfig config, double achieved, Double accuracy, Double loss,
                        Double latencyMs, Long keptParams, Long sparseBytes, java.util.Map<String, String> precision,
                        List<Sensitivity.LayerCurve> sensitivity) {
            this(name, config, achieved, accuracy, loss, latencyMs, keptParams, sparseBytes, precision, sensitivity,
                    null);
        }

        /** A snapshot with accuracy and loss only (files written before latency and size were recorded). */
        public Snapshot(String name, PruningConfig config, double achieved, Double accuracy, Double loss) {
            this(name, config, achieved, accuracy, loss, null, null, null, null, null);
        }

        /** A float32 snapshot whose configuration needs no sensitivity curves. */
        public Snapshot(String name, PruningConfig config, double achieved, Double accuracy, Double loss,
                        Double latencyMs, Long keptParams, Long sparseBytes) {
            this(name, config, achieved, accuracy, loss, latencyMs, keptParams, sparseBytes, null, null);
        }

        /** A snapshot whose configuration needs no sensitivity curves. */
        public Snapshot(String name, PruningConfig config, double achieved, Double accuracy, Double loss,
                        Double latencyMs, Long keptParams, Long sparseBytes, java.util.Map<String, String> precision) {
            this(name, config, achieved, accuracy, loss, latencyMs, keptParams, sparseBytes, precision, null);
        }
    }
}
