package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.sparsitybench.formats.AtomicFiles;

/**
 * Puts the source model's {@code model-card.json} beside an export, so {@code eval} and the window can run the
 * pruned model with the same preprocessing. The copy's dataset path is rewritten to reach the same data from its
 * new folder, and it says which model it came from (its accuracy and parameter count are the source's). Stateless.
 */
public final class ModelCardCopy {
    private ModelCardCopy() {
    }

    /** What happened. */
    public enum Outcome {
        /** Written beside the export. */
        COPIED,
        /** The export is in the source's folder: the card is already there. */
        SAME_FOLDER,
        /** The source has no card. */
        NO_CARD,
        /** A card is already beside the export; it was left as it is. */
        KEPT_EXISTING
    }

    /**
     * Copies the card beside {@code source} (not modified) to beside {@code out}, atomically, unless one is there.
     *
     * @throws IOException when the card cannot be read as JSON or written
     */
    public static Outcome copyBeside(Path source, Path out) throws IOException {
        Path from = source.toAbsolutePath().normalize().resolveSibling(ModelCard.FILE_NAME);
        Path to = out.toAbsolutePath().normalize().resolveSibling(ModelCard.FILE_NAME);
        if (!Files.isRegularFile(from)) {
            return Outcome.NO_CARD;
        }
        if (from.getParent().equals(to.getParent())) {
            return Outcome.SAME_FOLDER;
        }
        if (Files.exists(to)) {
            return Outcome.KEPT_EXISTING;
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode card = json.readTree(from.toFile());
        if (card instanceof ObjectNode o) {
            if (o.get("dataset") instanceof ObjectNode ds) {
                for (String split : Arrays.asList("train", "validation", "test")) {
                    if (ds.hasNonNull(split)) {
                        Path data = from.resolveSibling(ds.get(split).asText()).normalize();
                        ds.put(split, relativeOrAbsolute(to.getParent(), data));
                    }
                }
            }
            ObjectNode derived = o.putObject("derivedFrom");
            derived.put("model", source.toAbsolutePath().normalize().toString());
            derived.put("note", "copied by sparsitybench prune: accuracy and params above are the source model's; "
                    + "the pruned model's figures are in its .report.json");
        }
        byte[] bytes = json.writeValueAsBytes(card);
        AtomicFiles.writeStream(to, os -> os.write(bytes));
        return Outcome.COPIED;
    }

    private static String relativeOrAbsolute(Path dir, Path target) {
        try {
            return dir.relativize(target).toString();
        } catch (IllegalArgumentException e) {
            return target.toString();
        }
    }
}
