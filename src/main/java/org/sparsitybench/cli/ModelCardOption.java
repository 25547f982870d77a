package org.sparsitybench.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.sparsitybench.eval.ModelCard;
import picocli.CommandLine.Option;

/**
 * {@code --preprocess FILE}, declared once for every command that feeds a model samples and reads its card the
 * same way ({@code eval}, {@code quantize}, {@code finetune}, the measuring commands), as a picocli mixin.
 */
final class ModelCardOption {
    @Option(names = "--preprocess", paramLabel = "FILE", description = "A model card to use instead of the one beside the model.")
    Path preprocess;

    /** The card given with {@code --preprocess}, else the one beside {@code model}. */
    ModelCard card(Path model) throws IOException {
        return ModelCard.forModel(model, preprocess);
    }
}
