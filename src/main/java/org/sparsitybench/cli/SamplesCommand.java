package org.sparsitybench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.samples.SampleGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sparsitybench samples regenerate}: trains the bundled sample models again and rewrites them. */
@Command(name = "samples", mixinStandardHelpOptions = true,
        description = "The bundled sample models (sample-models/).",
        subcommands = {SamplesCommand.Regenerate.class, CommandLine.HelpCommand.class})
public final class SamplesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: regenerate");
    }

    /**
     * {@code samples regenerate [--out DIR] [--only NAME]... [--epochs-scale F]}: one progress line per epoch and a
     * result line per model on stdout.
     */
    @Command(name = "regenerate", mixinStandardHelpOptions = true,
            description = {"Train the sample models from their seeds, export them to ONNX, measure them with ONNX "
                    + "Runtime and write model.onnx, model-card.json, the test data and README.md.",
                    "Samples: fashion-lenet-300-100, fashion-lenet5, fashion-resnet-mini, digits-mlp."})
    static final class Regenerate implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "DIR", defaultValue = "sample-models",
                description = "Folder to write (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--only", paramLabel = "NAME", split = ",",
                description = "Regenerate only these samples (repeatable or comma-separated).")
        List<String> only = new ArrayList<>();

        @Option(names = "--epochs-scale", paramLabel = "F", defaultValue = "1",
                description = "Multiply every sample's epochs by F, keeping at least one (default: ${DEFAULT-VALUE}).")
        double epochsScale;

        @Option(names = "--fashion-mnist", paramLabel = "DIR",
                description = "Folder with Fashion-MNIST's IDX files (default: ${DEFAULT-VALUE}).")
        Path fashionMnist = SampleGenerator.DEFAULT_FASHION_MNIST;

        @Option(names = "--digits", paramLabel = "FILE",
                description = "scikit-learn's digits.csv.gz (default: ${DEFAULT-VALUE}).")
        Path digits = SampleGenerator.DEFAULT_DIGITS_CSV;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            for (String name : only) {
                if (!SampleGenerator.names().contains(name)) {
                    throw new SparsityBenchCli.UsageException("--only " + name + ": no such sample; choose from "
                            + String.join(", ", SampleGenerator.names()));
                }
            }
            if (!(epochsScale > 0) || Double.isInfinite(epochsScale)) {
                throw new SparsityBenchCli.UsageException("--epochs-scale " + epochsScale
                        + ": must be a positive number");
            }
            PrintWriter pw = spec.commandLine().getOut();
            long t0 = System.nanoTime();
            SampleGenerator generator = new SampleGenerator(out, fashionMnist, digits, epochsScale, line -> {
                pw.println(line);
                pw.flush();
            });
            List<ModelCard> cards = generator.regenerate(only);
            pw.printf(Locale.ROOT, "regenerated %d sample%s in %.1f s into %s%n", cards.size(),
                    cards.size() == 1 ? "" : "s", (System.nanoTime() - t0) / 1e9, out);
            pw.flush();
            return SparsityBenchCli.EXIT_OK;
        }
    }
}
