package org.sparsitybench.tools.bench.large;

import static org.sparsitybench.tools.bench.BenchFigures.median;
import static org.sparsitybench.tools.bench.large.LargeReport.ms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.safetensors.SafeTensorsWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningResult;

/**
 * {@code bench large --format safetensors}: a generated LLaMA-shaped checkpoint through the workbench's whole
 * path: the layer list from the header, per-layer statistics in the background, a global threshold against one
 * sequential read, the streamed export verified by re-reading, and the memory it all took.
 */
final class CheckpointBench {
    private static final double GOAL_LAYER_LIST_MS = 1000;
    private static final double GOAL_THRESHOLD_RATIO = 3;

    /** The model as read, and the first and median times of reading its layer list. */
    private record LayerList(Model model, double firstMs) {
    }

    private CheckpointBench() {
    }

    /**
     * Runs every step into {@code o}, in the order the report lists them.
     *
     * @param scratch receives the files this run creates, for the caller to delete (modified)
     * @param memory  stopped before its figures go into the report
     * @param o       the report (modified)
     * @return whether the export verified
     */
    static boolean run(LargeSettings s, Path folder, List<Path> scratch, MemorySampler memory, ObjectNode o,
                       ObjectMapper json, Consumer<String> progress) throws Exception {
        LlamaShape shape = LlamaShape.forParams(s.params());
        Path file = folder.resolve(String.format(Locale.ROOT, "llama-like-%dM-%s.safetensors",
                Math.round(shape.params() / 1e6), s.dtypeCode().toLowerCase(Locale.ROOT)));
        Path out = folder.resolve(file.getFileName().toString().replace(".safetensors", ".pruned.safetensors"));
        scratch.addAll(List.of(out, file));
        progress.accept("writing " + file);
        long bytes = generate(o.putObject("file"), file, shape, s);
        progress.accept("layer list");
        LayerList list = layerList(o.putObject("layerList"), file, s.repeats());
        progress.accept("per-layer statistics in the background");
        o.set("statistics", BackgroundStatistics.measure(json, list.model()));
        progress.accept("sequential read vs global threshold");
        ThresholdTiming.Outcome th = ThresholdTiming.measure(json, file, bytes, list.model(), s.sparsity(), s.repeats());
        o.set("globalThreshold", th.report());
        progress.accept("streamed export and verification");
        ExportVerification v = export(o.putObject("export"), list.model(), th.result(), out);
        memory.stop();
        o.set("memory", memory.report(json));
        ObjectNode goals = o.putObject("goals");
        goals.put("layerListFirstMs<=1000", list.firstMs() <= GOAL_LAYER_LIST_MS);
        goals.put("thresholdOverRead<=3", th.thresholdMedianMs() / th.readMedianMs() <= GOAL_THRESHOLD_RATIO);
        goals.put("exportVerified", v.ok());
        return v.ok();
    }

    /** Generation, timed: not a goal, but its time says how fast the disk takes 2 GB. Returns the file's size. */
    private static long generate(ObjectNode gen, Path file, LlamaShape shape, LargeSettings s) throws IOException {
        long t0 = System.nanoTime();
        long bytes = LlamaCheckpoint.generate(file, shape, s.dtypeCode(), s.seed());
        gen.put("path", file.toString());
        gen.put("dtype", s.dtypeCode());
        gen.put("hidden", shape.hidden());
        gen.put("intermediate", shape.intermediate());
        gen.put("layers", shape.layers());
        gen.put("vocab", LlamaShape.VOCAB);
        gen.put("params", shape.params());
        gen.put("bytes", bytes);
        gen.put("generateMs", ms(System.nanoTime() - t0));
        gen.put("cacheState", "warm: the file was just written and stays in the page cache (dropping it needs "
                + "root); every timing below reads it from memory, the peer and the engine alike");
        return bytes;
    }

    /** The layer list: the header only, read {@code repeats + 1} times (the first in a fresh JVM). */
    private static LayerList layerList(ObjectNode list, Path file, int repeats) throws IOException {
        double[] listMs = new double[repeats + 1];
        Model model = null;
        int layerCount = 0;
        for (int r = 0; r <= repeats; r++) {
            long s = System.nanoTime();
            model = ModelFiles.read(file);
            layerCount = model.nodeTensors().size();
            listMs[r] = ms(System.nanoTime() - s);
        }
        list.put("tensors", model.tensors().size());
        list.put("layers", layerCount);
        list.put("prunableTensors", model.prunableTensors().size());
        list.put("firstMs", listMs[0]);
        list.put("medianMs", median(Arrays.copyOfRange(listMs, 1, listMs.length)));
        list.put("note", "firstMs includes loading the reader's classes in a fresh JVM");
        return new LayerList(model, listMs[0]);
    }

    /** The pruned export streamed through the SafeTensors writer, then re-read and verified. */
    private static ExportVerification export(ObjectNode export, Model model, PruningResult result, Path out)
            throws IOException {
        Map<String, TensorUpdate> updates = StreamedExport.maskedUpdates(model, result);
        long s = System.nanoTime();
        new SafeTensorsWriter().write(model, updates, StreamedExport.METADATA, out);
        export.put("path", out.toString());
        export.put("bytes", Files.size(out));
        export.put("updatedTensors", updates.size());
        export.put("writeMs", ms(System.nanoTime() - s));
        updates = null; // the views may go before the verification reads the export
        s = System.nanoTime();
        ExportVerification v = ExportVerification.check(model, ModelFiles.read(out), result);
        export.put("verifyMs", ms(System.nanoTime() - s));
        export.put("verified", v.ok());
        export.put("prunedTensorsMatchingMasks", v.prunedMatching());
        export.put("prunedTensors", v.prunedTensors());
        export.put("untouchedTensorsByteIdentical", v.untouchedIdentical());
        export.put("untouchedTensors", v.untouchedTensors());
        export.put("zerosInExportedPrunableTensors", v.zeros());
        if (!v.problems().isEmpty()) {
            export.put("firstProblem", v.problems().get(0));
        }
        return v;
    }
}
