package org.sparsitybench.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import com.fasterxml.jackson.databind.JsonNode;
import org.sparsitybench.eval.ModelCard;

/** Writes {@code sample-models/README.md}: the table of bundled models, from their cards, and how to rebuild them. */
final class SamplesReadme {
    private SamplesReadme() {
    }

    /** Rewrites {@code out/README.md} from every card present in {@code out}. */
    static void write(Path out) throws IOException {
        StringBuilder table = new StringBuilder();
        table.append("| model | architecture | accuracy | params | trained | teaches |\n");
        table.append("|---|---|---:|---:|---|---|\n");
        StringBuilder files = new StringBuilder();
        for (SampleSpec spec : SampleSpec.ALL) {
            Path cardFile = out.resolve(spec.name()).resolve(ModelCard.FILE_NAME);
            if (!Files.exists(cardFile)) {
                continue;
            }
            ModelCard c = ModelCard.read(cardFile);
            JsonNode t = c.training();
            long bytes = Files.size(out.resolve(spec.name()).resolve("model.onnx"));
            table.append(String.format(Locale.ROOT,
                    "| [`%s`](%s/) | %s | %.2f %% | %,d | %s: %d epochs, batch %d, Adam lr %s (cosine), seed %d, "
                            + "%.0f s | %s |%n", c.name(), c.name(), c.architecture(), 100 * c.accuracy(), c.params(),
                    c.dataset().get("name").asText(), t.get("epochs").asInt(), t.get("batch").asInt(),
                    t.get("lr").asText(), t.get("seed").asLong(), t.get("trainSeconds").asDouble(), c.teaches()));
            files.append(String.format(Locale.ROOT, "- `%s/model.onnx` (%,d bytes), input `%s` %s %s, scale %s, "
                            + "mean %.4f, std %.4f; test data `%s`, training data `%s`%n", c.name(), bytes, c.input(),
                    Arrays.toString(c.inputShape()), c.layout(), c.scale(), c.mean()[0], c.std()[0],
                    c.dataset().get("test").asText().replace("../", ""),
                    c.dataset().path("train").asText("").replace("../", "")));
        }
        String text = """
                # Sample models

                Four small classifiers that SparsityBench trains itself, exported to ONNX (opset 13) with the
                project's own builder and bundled with their test data, so every pruning feature can be tried on a
                real model and measured on real data without downloading anything.

                %s
                Accuracy is top-1 on the whole bundled test split, measured with ONNX Runtime on the exported file.
                *params* counts every stored value, batch-norm running statistics included, as
                `sparsitybench inspect` does. Each folder holds `model.onnx` and `model-card.json` (input name,
                shape, layout, preprocessing, labels, data, accuracy, training recipe); a pixel becomes
                `(value·scale − mean)/std` before it enters the network.

                %s
                ## Regenerating

                ```sh
                mvn -q -B package -DskipTests
                packaging/bin/sparsitybench samples regenerate [--out sample-models] [--only NAME] [--epochs-scale F]
                ```

                Training reads Fashion-MNIST from `/usr/share/datasets/fashion-mnist` (Debian package
                `dataset-fashion-mnist`; `--fashion-mnist DIR` for another folder) and the 8×8 digits from
                scikit-learn's `digits.csv.gz` (Debian `python3-sklearn`; `--digits FILE`). Every run starts from
                the card's seed: weights are drawn from `java.util.Random(seed)` and each epoch's batch order from
                `java.util.Random(seed + 1)`. The layers' forward and backward passes are written out in Java over
                ND4J's matrix product (OpenBLAS); a rerun on the same machine and library build reproduces the
                weights bit for bit, while another CPU may pick other OpenBLAS kernels and differ in the last bits
                (and the accuracy by a fraction of a point). Before a model is written, ONNX Runtime's logits on
                256 test images must match the training code's within 1e-4.

                `--epochs-scale 0.2` trains a fifth of the epochs (at least one) for a quick check; the cards then
                record the shorter training.

                ## Data and licences

                - `data/fashion-mnist/`: the Fashion-MNIST test split (10,000 images) and a seeded 12,000-image
                  subset of the training split (`train-12k-*`, the training data for recovery when Debian's full
                  set is not installed), unmodified. Fashion-MNIST by Zalando Research, MIT licence; see
                  `data/fashion-mnist/ATTRIBUTION.md`.
                - `data/digits/`: the 1,797 8×8 *Optical Recognition of Handwritten Digits* images of scikit-learn's
                  copy (E. Alpaydin, C. Kaynak, UCI Machine Learning Repository), split 450 test / 1,347 training,
                  CC BY 4.0; see `data/digits/ATTRIBUTION.md`.

                The model files are part of SparsityBench and share its Apache-2.0 licence.
                """.formatted(table, files);
        SampleGenerator.writeText(out.resolve("README.md"), text);
    }
}
