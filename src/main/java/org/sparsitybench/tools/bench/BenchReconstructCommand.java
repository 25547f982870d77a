package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench bench reconstruct}: what the window's Reconstruct toggle costs once the sliders settle, on
 * a whole model: the engine's pruned values, then {@link Reconstruction#run} over every pruned layer (activation
 * capture through ONNX Runtime, least squares with bias correction, or SparseGPT) on the first samples of the
 * validation split. Prints each run's wall time and the median as JSON; the first run (ONNX Runtime warming up)
 * is reported apart and left out of the median. The goal of issue 16 is ≤ 2 s for fashion-lenet5 on 128 samples.
 */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
        description = "Time the window's whole-model reconstruction (least squares + bias correction, and SparseGPT).")
final class BenchReconstructCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "sample-models/fashion-lenet5/model.onnx",
            description = "ONNX model with a model card naming its validation data (default ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--samples", defaultValue = "128", description = "Calibration samples (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--target", defaultValue = "0.7", description = "Global sparsity (default ${DEFAULT-VALUE}).")
    double target;

    @Option(names = "--methods", split = ",", defaultValue = "magnitude,sparsegpt",
            description = "Engine methods; magnitude and the like run the toggle's least squares (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs after the first (default ${DEFAULT-VALUE}).")
    int repeats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (samples < 1 || repeats < 1 || !(target >= 0 && target < 1)) {
            throw new SparsityBenchCli.UsageException("--samples and --repeats >= 1, --target in [0, 1)");
        }
        Model m = ModelFiles.read(model);
        ModelCard card = ModelCard.beside(model).orElseThrow(() -> new ModelFormatException(model, "",
                "no model card beside the model: reconstruction needs one naming its data"));
        DataSplits.Split validation = DataSplits.validation(card, model).orElseThrow(() -> new ModelFormatException(
                model, "", "the model card names no validation or training data to calibrate on"));
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        out.put("model", model.toString());
        out.put("calibrationSplit", validation.name());
        out.put("calibrationDataset", validation.description());
        out.put("samples", Math.min(samples, validation.data().count()));
        out.put("target", target);
        out.put("threads", Runtime.getRuntime().availableProcessors());
        out.put("loadAverageBefore", BenchFigures.loadAverage());
        ArrayNode cases = out.putArray("cases");
        PruningEngine engine = new PruningEngine(m);
        for (String method : methods) {
            err.println("bench reconstruct: " + model.getFileName() + " " + method + " at " + target + " ...");
            err.flush();
            PruningResult pruning = engine.run(PruningConfig.of(GlobalSettings.of(target, method, Allocation.UNIFORM)),
                    ProgressListener.NONE, CancellationToken.NONE);
            // The window's toggle: least squares with bias correction (SparseGPT layers reconstruct either way).
            Reconstruction.Options options = Reconstruction.Options.of(true, true, false);
            double[] ms = new double[repeats + 1];
            double[] cpu = new double[repeats + 1];
            Reconstruction.Result last = null;
            for (int i = 0; i <= repeats; i++) {
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                last = Reconstruction.run(m, card, pruning, pruning.prunedValues(m), validation.data(), samples,
                        pruning.config().global().nmPattern(), options, ProgressListener.NONE, CancellationToken.NONE);
                ms[i] = (System.nanoTime() - t0) / 1e6;
                cpu[i] = (processCpuNanos() - c0) / 1e6;
            }
            ObjectNode c = cases.addObject();
            c.put("method", method);
            c.put("layers", last.layers().size());
            c.put("firstRunMs", BenchFigures.round(ms[0], 1));
            ArrayNode runs = c.putArray("runsMs");
            double[] timed = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                timed[i] = ms[i + 1];
                runs.add(BenchFigures.round(timed[i], 1));
            }
            double median = BenchFigures.median(timed);
            double[] cpuTimed = Arrays.copyOfRange(cpu, 1, cpu.length);
            // CPU time of the whole process (all threads) barely moves with the machine's load, wall time does.
            c.put("medianCpuMs", BenchFigures.round(BenchFigures.median(cpuTimed), 1));
            c.put("minWallMs", BenchFigures.round(Arrays.stream(timed).min().orElse(Double.NaN), 1));
            c.put("medianMs", BenchFigures.round(median, 1));
            c.put("goalMs", 2000);
            c.put("meetsGoal", median <= 2000);
            // On a loaded machine wall time says more about the other processes; CPU time bounds an idle
            // machine's wall time (nothing here waits on I/O once the first run has read the files).
            c.put("meetsGoalOnCpu", BenchFigures.median(cpuTimed) <= 2000);
        }
        out.put("loadAverageAfter", BenchFigures.loadAverage());
        BenchFigures.print(spec, json, out);
        return SparsityBenchCli.EXIT_OK;
    }

    /** CPU time of this process, all threads (ONNX Runtime's included); -1 when the JVM does not tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
