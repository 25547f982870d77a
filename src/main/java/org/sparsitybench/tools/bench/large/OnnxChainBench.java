package org.sparsitybench.tools.bench.large;

import static org.sparsitybench.tools.bench.BenchFigures.round;
import static org.sparsitybench.tools.bench.large.LargeReport.ms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * {@code bench large --format onnx}: a float32 MatMul chain over 2 GB with external data, read, pruned by the
 * engine (global magnitude), exported with its external data beside the export, re-read and compared, and run in
 * ONNX Runtime against a float64 forward pass over the pruned weights.
 */
final class OnnxChainBench {
    /** ONNX Runtime's output against the float64 forward pass, relative to the output's largest magnitude. */
    private static final double MAX_RELATIVE_ERROR = 1e-3;

    /** The export's verification and the model re-read from it. */
    private record Export(ExportVerification verification, Model reread, Path data) {
    }

    private OnnxChainBench() {
    }

    /**
     * Runs every step into {@code o}, in the order the report lists them.
     *
     * @param scratch receives the files this run creates, for the caller to delete (modified)
     * @param memory  stopped before its figures go into the report
     * @param o       the report (modified)
     * @return whether the export verified, kept its external data and ran in ONNX Runtime as computed
     */
    static boolean run(LargeSettings s, Path folder, List<Path> scratch, MemorySampler memory, ObjectNode o,
                       ObjectMapper json, Consumer<String> progress) throws Exception {
        int hidden = s.params() >= 1e8 ? 4096 : 1024;
        int layers = (int) Math.max(1, Math.round(s.params() / ((double) hidden * hidden)));
        Path file = folder.resolve("chain.onnx");
        Path out = folder.resolve("chain.pruned.onnx");
        scratch.addAll(List.of(out, out.resolveSibling(out.getFileName() + ".data"), file, OnnxChain.dataFile(file)));
        progress.accept("writing " + file + " with external data");
        generate(o.putObject("file"), file, hidden, layers, s.seed());
        long t = System.nanoTime();
        Model model = ModelFiles.read(file);
        o.put("readMs", ms(System.nanoTime() - t));
        o.put("externalTensors", model.tensors().stream().filter(x -> x.storage().contains("external")).count());
        progress.accept("global threshold");
        PruningResult result = threshold(o.putObject("globalThreshold"), file, model, s.sparsity());
        progress.accept("export with external data");
        Export export = export(o.putObject("export"), model, result, out);
        progress.accept("ONNX Runtime");
        double rel = runInOnnxRuntime(o.putObject("onnxRuntime"), export.reread(), out, hidden, s.seed());
        memory.stop();
        o.set("memory", memory.report(json));
        boolean ok = export.verification().ok() && rel < MAX_RELATIVE_ERROR && Files.exists(export.data());
        o.put("ok", ok);
        return ok;
    }

    private static void generate(ObjectNode f, Path file, int hidden, int layers, long seed) throws IOException {
        long s = System.nanoTime();
        OnnxChain.write(file, hidden, layers, 0, seed);
        f.put("path", file.toString());
        f.put("hidden", hidden);
        f.put("layers", layers);
        f.put("params", (long) hidden * hidden * layers);
        f.put("modelBytes", Files.size(file));
        f.put("externalDataBytes", Files.size(OnnxChain.dataFile(file)));
        f.put("generateMs", ms(System.nanoTime() - s));
    }

    /** One read of the data file (after one untimed) against one global threshold through the engine. */
    private static PruningResult threshold(ObjectNode th, Path file, Model model, double sparsity) throws IOException {
        List<ByteBuffer> windows = ReadPeers.mapWindows(OnnxChain.dataFile(file));
        ReadPeers.readSequentially(windows);
        long s = System.nanoTime();
        long checksum = ReadPeers.readSequentially(windows);
        double readMs = ms(System.nanoTime() - s);
        windows = null; // unmapped once collected, before the engine runs
        s = System.nanoTime();
        PruningResult result = new PruningEngine(model, new ScoreCache(false), null)
                .run(ThresholdTiming.global(sparsity), ProgressListener.NONE, CancellationToken.NONE);
        double thresholdMs = ms(System.nanoTime() - s);
        th.put("pruned", result.pruned());
        th.put("achievedSparsity", result.achievedSparsity());
        th.put("sequentialReadMs", readMs);
        th.put("note", "one run each, after one untimed read of the data file");
        th.put("thresholdMs", thresholdMs);
        th.put("thresholdOverRead", round(thresholdMs / readMs, 2));
        th.put("checksum", checksum);
        return result;
    }

    /** The export through the model's own writer (external data beside it), re-read and verified. */
    private static Export export(ObjectNode export, Model model, PruningResult result, Path out) throws IOException {
        var updates = StreamedExport.maskedUpdates(model, result);
        long s = System.nanoTime();
        ModelFiles.writerFor(model.format()).write(model, updates, StreamedExport.METADATA, out);
        export.put("writeMs", ms(System.nanoTime() - s));
        export.put("modelBytes", Files.size(out));
        Path outData = out.resolveSibling(out.getFileName() + ".data");
        export.put("externalDataFile", outData.getFileName().toString());
        export.put("externalDataBytes", LargeReport.sizeOrMinusOne(outData));
        updates = null; // the views may go before the verification reads the export
        s = System.nanoTime();
        Model reread = ModelFiles.read(out);
        ExportVerification v = ExportVerification.check(model, reread, result);
        export.put("verifyMs", ms(System.nanoTime() - s));
        export.put("verified", v.ok());
        export.put("prunedTensorsMatchingMasks", v.prunedMatching());
        export.put("prunedTensors", v.prunedTensors());
        export.put("externalTensorsInExport",
                reread.tensors().stream().filter(t -> t.storage().contains("external")).count());
        if (!v.problems().isEmpty()) {
            export.put("firstProblem", v.problems().get(0));
        }
        return new Export(v, reread, outData);
    }

    /** Runs the export in ONNX Runtime; returns its relative error against the float64 forward pass. */
    private static double runInOnnxRuntime(ObjectNode run, Model reread, Path out, int hidden, long seed)
            throws Exception {
        float[] x = OnnxChain.input(hidden, seed);
        double[] expected = OnnxChain.forward(reread, x);
        long s = System.nanoTime();
        float[] y;
        try (OrtModel ort = OrtModel.open(out, "X", 0)) {
            y = ort.run(x, new long[] {1, hidden});
        }
        run.put("loadAndRunMs", ms(System.nanoTime() - s));
        double rel = OnnxChain.relativeError(y, expected);
        run.put("relativeErrorVsFloat64", rel);
        run.put("matches", rel < MAX_RELATIVE_ERROR);
        return rel;
    }
}
