package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.sparsitybench.eval.ExportMeasurement;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.task.CancellationToken;

/** What {@code prune} says about its output beyond the structure: measured figures and a file that grew. */
final class ExportFigures {
    private ExportFigures() {
    }

    /** The report's {@code measured} object and its one-line summary. */
    record Measured(ObjectNode json, String summary) {
    }

    /**
     * Measures the written model when there is data for it: {@code data} if given, else the test set the source's
     * model card names (when it exists). Null for weight-only formats or when there is no data.
     */
    static Measured measure(Path source, Path out, ModelFormat format, Path data, String split, int latencyRuns)
            throws Exception {
        if (format != ModelFormat.ONNX) {
            return null;
        }
        Path cardFile = source.toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
        if (!Files.isRegularFile(cardFile)) {
            return null;
        }
        ModelCard card = ModelCard.read(cardFile);
        Path set = data;
        String splitName = split;
        if (set == null) {
            if (card.dataset() == null || !card.dataset().hasNonNull("test")) {
                return null;
            }
            set = cardFile.resolveSibling(card.dataset().get("test").asText()).normalize();
            splitName = "test";
            if (!Files.exists(set)) {
                return null;
            }
        }
        String name = card.dataset() != null && card.dataset().hasNonNull("name") && data == null
                ? card.dataset().get("name").asText() + " (" + set + ")" : set.toString();
        ObjectNode json = ExportMeasurement.measure(source, out, card, Datasets.open(set), name, splitName,
                latencyRuns, CancellationToken.NONE);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "measured on %,d samples of the %s split: accuracy %.2f%%, loss %.4f", json.get("samples").asInt(),
                splitName, 100 * json.get("accuracy").asDouble(), json.get("loss").asDouble()));
        if (json.has("latencyMs")) {
            JsonNode a = json.get("latencyMs");
            JsonNode b = json.get("sourceLatencyMs");
            line.append(String.format(Locale.ROOT, "; latency %.3f ms (p10 %.3f, p90 %.3f) against the source's "
                            + "%.3f ms (p10 %.3f, p90 %.3f), batch 1, one thread", a.get("median").asDouble(),
                    a.get("p10").asDouble(), a.get("p90").asDouble(), b.get("median").asDouble(),
                    b.get("p10").asDouble(), b.get("p90").asDouble()));
        }
        return new Measured(json, line.toString());
    }

    /**
     * A warning when the output is larger than the source, with what would make it smaller: sparse storage (and the
     * size it would give) for ONNX, the compressed size for weight-only formats.
     */
    static Optional<String> largerFileWarning(Path source, Path out, JsonNode totals, boolean sparseStorage) {
        long before = totals.get("fileBytesBefore").asLong();
        long after = totals.get("fileBytesAfter").asLong();
        if (after <= before) {
            return Optional.empty();
        }
        StringBuilder w = new StringBuilder(String.format(Locale.ROOT, "note: %s (%,d bytes) is larger than %s "
                + "(%,d bytes): a zeroed weight takes as many bytes as the weight it replaced", out, after, source,
                before));
        long sparse = totals.has("fileBytesWithSparseStorage") ? totals.get("fileBytesWithSparseStorage").asLong() : -1;
        if (sparse >= 0 && sparse < after && !sparseStorage) {
            w.append(String.format(Locale.ROOT, "; --sparse-storage would write about %,d bytes", sparse));
        } else {
            if (sparse >= 0 && !sparseStorage) {
                w.append("; --sparse-storage would not shrink it at this sparsity (an int64 index per kept weight: "
                        + "it pays above about 67 % zeros for float32, 80 % for 16-bit)");
            }
            w.append(String.format(Locale.ROOT, "; compressed (zip) it takes about %,d bytes against %,d",
                    totals.get("compressedBytesAfter").asLong(), totals.get("compressedBytesBefore").asLong()));
        }
        return Optional.of(w.toString());
    }
}
