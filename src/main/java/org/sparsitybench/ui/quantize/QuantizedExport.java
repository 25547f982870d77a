package org.sparsitybench.ui.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sparsitybench.eval.CompressedSize;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.quantize.QdqRewriter;
import org.sparsitybench.quantize.QuantMode;
import org.sparsitybench.quantize.QuantizationConfig;
import org.sparsitybench.quantize.Quantizer;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The export of the window's precision choices: the pruned model the export just wrote, quantized as chosen,
 * beside it as {@code NAME-quantized.onnx} with {@code NAME-quantized.onnx.report.json} (per layer
 * {@code name, bits, scheme, zerosBefore, zerosAfter}; totals of file and compressed size). Static INT8 calibrates
 * on the training split the model card names.
 */
public final class QuantizedExport {
    private QuantizedExport() {
    }

    /** The quantized file written beside {@code pruned}. */
    public static Path target(Path pruned) {
        String n = pruned.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return pruned.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + "-quantized.onnx");
    }

    /**
     * @param pruned   the pruned model the export wrote (not modified)
     * @param original the opened model (its card gives preprocessing and the training split)
     * @return the files written; empty when every layer is float32
     */
    public static List<Path> write(Path pruned, Model original, PrecisionViewModel precision, ProgressListener progress,
                                   CancellationToken cancel) throws Exception {
        if (precision.config().isEmpty()) {
            return List.of();
        }
        QuantizationConfig cfg = precision.config().get();
        ModelCard card = ModelCard.forModel(original.file(), null);
        LabeledData calibration = null;
        if (cfg.mode() == QuantMode.STATIC) {
            Path cardFile = original.file().toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
            Path train = card.datasetPath(cardFile, "train").filter(Files::exists).orElseThrow(() ->
                    new IllegalStateException(cardFile + ": static INT8 calibrates on the training split the card "
                            + "names (dataset.train) and this card names none; choose weights-only precision"));
            calibration = Datasets.open(train);
        }
        Model m = ModelFiles.read(pruned);
        Quantizer.Outcome o = Quantizer.quantize(m, card, calibration, cfg, progress, cancel);
        Path out = target(pruned);
        Quantizer.write(o, pruned, out);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", pruned.toString());
        root.put("mode", cfg.mode() == QuantMode.STATIC ? "static" : "weights");
        ArrayNode layers = root.putArray("layers");
        for (QdqRewriter.LayerReport l : o.result().layers()) {
            layers.addObject().put("name", l.name()).put("bits", l.bits()).put("scheme", l.scheme())
                    .put("zerosBefore", l.zerosBefore()).put("zerosAfter", l.zerosAfter());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("fileBytesBefore", Files.size(pruned));
        totals.put("fileBytesAfter", Files.size(out));
        totals.put("compressedBytesBefore", CompressedSize.exact(pruned));
        totals.put("compressedBytesAfter", CompressedSize.exact(out));
        totals.put("bitsPerWeight", precision.bitsPerWeight());
        Path report = out.resolveSibling(out.getFileName() + ".report.json");
        byte[] json = mapper.writeValueAsBytes(root);
        AtomicFiles.writeStream(report, os -> os.write(json));
        return List.of(out, report);
    }
}
