package org.sparsitybench.tools.bench.large;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.tools.bench.BenchFigures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench large}: a generated LLaMA-shaped SafeTensors checkpoint of about {@code --params} weights, taken
 * through the workbench's whole path in one JVM: layer list from the header, per-layer statistics in the
 * background, a global magnitude threshold through the engine against one sequential read of the file, the pruned
 * export streamed through the SafeTensors writer and verified by re-reading, and the memory it all took.
 * Run it under the heap the goal names: {@code JAVA_OPTS=-Xmx1g packaging/bin/sparsitybench bench large}.
 *
 * <p>The parts: generation ({@link LlamaCheckpoint}, {@link OnnxChain}), timing ({@link BackgroundStatistics},
 * {@link ThresholdTiming}), the peers ({@link ReadPeers}), verification ({@link ExportVerification}), memory
 * ({@link MemorySampler}) and the report ({@link LargeReport}); {@link CheckpointBench} and {@link OnnxChainBench}
 * run them in order for each {@code --format}.
 */
@Command(name = "large", mixinStandardHelpOptions = true,
        description = {"Generate a LLaMA-shaped SafeTensors file of about PARAMS weights (streamed, never whole in "
                + "memory), then time: the layer list (header only), per-layer statistics in the background, one "
                + "sequential read of the file against a global magnitude threshold through the engine, the "
                + "streamed pruned export and its verification; and report peak RSS and heap. Prints one JSON "
                + "object. Run under the heap you mean to test, e.g. JAVA_OPTS=-Xmx1g."})
public final class BenchLargeCommand implements Callable<Integer> {
    @Option(names = "--params", defaultValue = "1e9",
            description = "Approximate number of weights (default ${DEFAULT-VALUE}; 6.7e9 gives LLaMA-7B's shapes).")
    double params;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--dir", description = "Folder for the generated file and the export (default: a new "
            + "temporary folder).")
    Path dir;

    @Option(names = "--keep", description = "Keep the generated file and the export instead of deleting them.")
    boolean keep;

    @Option(names = "--sparsity", defaultValue = "0.5", description = "Global target sparsity (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--repeats", defaultValue = "3",
            description = "Timed repeats of the read and the threshold, alternated (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "20240601", description = "Seed of the generated weights.")
    long seed;

    @Option(names = "--format", defaultValue = "safetensors",
            description = "safetensors (LLaMA-shaped, --dtype) or onnx (a float32 MatMul chain with external data, "
                    + "4096 wide; --params 6e8 makes 2.4 GB) (default ${DEFAULT-VALUE}).")
    String format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LargeSettings settings = validate();
        boolean onnx = format.equalsIgnoreCase("onnx");
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> progress = step -> {
            err.println("bench large: " + step + " ...");
            err.flush();
        };
        MemorySampler memory = MemorySampler.start();
        Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sparsitybench-large-");
        List<Path> scratch = new ArrayList<>();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode report = LargeReport.header(json, !onnx);
        try {
            boolean ok = onnx
                    ? OnnxChainBench.run(settings, folder, scratch, memory, report, json, progress)
                    : CheckpointBench.run(settings, folder, scratch, memory, report, json, progress);
            report.put("loadAverageAtEnd", BenchFigures.loadAverage());
            BenchFigures.print(spec, json, report);
            return ok ? SparsityBenchCli.EXIT_OK : SparsityBenchCli.EXIT_FAILURE;
        } finally {
            memory.stop();
            if (!keep) {
                for (Path p : scratch) {
                    Files.deleteIfExists(p);
                }
                if (dir == null) {
                    Files.deleteIfExists(folder);
                }
            }
        }
    }

    private LargeSettings validate() {
        String code = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16" -> "BF16";
            case "f16" -> "F16";
            case "f32" -> "F32";
            default -> throw new SparsityBenchCli.UsageException("--dtype " + dtype + ": expected bf16, f16 or f32");
        };
        if (!(params >= 1e6 && params <= 1e11)) {
            throw new SparsityBenchCli.UsageException("--params " + params + " outside [1e6, 1e11]");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + " outside [0, 1]");
        }
        if (repeats < 1) {
            throw new SparsityBenchCli.UsageException("--repeats " + repeats + " < 1");
        }
        if (!format.equalsIgnoreCase("onnx") && !format.equalsIgnoreCase("safetensors")) {
            throw new SparsityBenchCli.UsageException("--format " + format + ": expected safetensors or onnx");
        }
        return new LargeSettings(params, code, sparsity, repeats, seed);
    }
}
