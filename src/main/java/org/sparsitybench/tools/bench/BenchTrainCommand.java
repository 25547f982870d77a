package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.train.GraphNetwork;
import org.sparsitybench.train.OnnxGraphReader;
import org.sparsitybench.train.Param;
import org.sparsitybench.train.Recovery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench bench train}: the recovery trainer's samples per second (forward, backward, Adam step) on
 * the bundled LeNet-300-100 and LeNet-5, dense and with 90 % of every weight matrix frozen at 0, beside PyTorch's
 * from the peer script run in the same process tree at 1 and 2 threads (its best taken). Ours is likewise run
 * at each OpenBLAS thread count given (1 and 2 by default) and its best taken: the convolutions run their chunks
 * on Java threads, where a single-threaded BLAS per chunk can beat a two-threaded one that serialises them. Inputs are seeded
 * random 28×28 images, as the peer's: throughput does not depend on the pixels.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training throughput (samples/s) on the LeNet shapes, dense and masked, beside PyTorch.")
final class BenchTrainCommand implements Callable<Integer> {
    private static final String[] MODELS = {"fashion-lenet-300-100", "fashion-lenet5"};
    private static final String[] PEER_NAMES = {"lenet-300-100", "lenet5"};

    @Option(names = "--model", paramLabel = "NAME", description = "Only this shape: lenet-300-100 or lenet5 (default: both).")
    String only;

    @Option(names = "--samples", defaultValue = "12800", description = "Samples per timed pass (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch", defaultValue = "128", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed passes; the median is printed (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "OpenBLAS thread counts for our "
            + "trainer, its best taken (default ${DEFAULT-VALUE}).")
    int[] threads;

    @Option(names = "--samples-dir", defaultValue = "sample-models", description = "The bundled samples (default ${DEFAULT-VALUE}).")
    Path samplesDir;

    @Option(names = "--peer-script", paramLabel = "FILE", description = "PyTorch's peer peer_train.py (the steering "
            + "repository's shared/bench/; or set " + PeerScripts.ENV + "); without either only our figures are printed.")
    Path peerScript;

    @Option(names = "--no-peer", description = "Skip the peer script even when " + PeerScripts.ENV + " is set.")
    boolean noPeer;

    @Option(names = "--peer", paramLabel = "PYTHON", defaultValue = "/usr/bin/python3", description = "Python for the peer (default ${DEFAULT-VALUE}).")
    String peer;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        out.put("samples", samples);
        out.put("batch", batch);
        out.put("threads", Arrays.toString(threads));
        if (only != null && !Arrays.asList(PEER_NAMES).contains(only)) {
            throw new ParameterException(spec.commandLine(), "--model: " + only
                    + " is not one of " + String.join(", ", PEER_NAMES));
        }
        ObjectNode ours = out.putObject("ours_samples_per_s");
        for (int i = 0; i < MODELS.length; i++) {
            if (only != null && !only.equals(PEER_NAMES[i])) {
                continue;
            }
            for (boolean masked : new boolean[] {false, true}) {
                ours.put(PEER_NAMES[i] + (masked ? "_masked90" : ""), round(ours(MODELS[i], masked)));
            }
        }
        if (ours.has("lenet-300-100")) {
            out.put("ours_lenet300_3_epochs_of_60000_s", round(3 * 60000 / ours.get("lenet-300-100").asDouble()));
        }
        if (noPeer) {
            peerScript = null;
        } else if (peerScript == null && System.getenv(PeerScripts.ENV) != null) {
            peerScript = PeerScripts.locate("bench train", null, "peer_train.py");
        }
        if (peerScript != null) {
            ObjectNode theirs = out.putObject("pytorch_samples_per_s_best_of_1_2_threads");
            for (boolean masked : new boolean[] {false, true}) {
                JsonNode[] runs = {peer(json, 1, masked), peer(json, 2, masked)};
                for (String name : PEER_NAMES) {
                    if (!runs[0].has(name + "_samples_per_s")) {
                        continue;
                    }
                    double best = Math.max(runs[0].path(name + "_samples_per_s").asDouble(),
                            runs[1].path(name + "_samples_per_s").asDouble());
                    String key = name + (masked ? "_masked90" : "");
                    theirs.put(key, best);
                    out.with("ratio_ours_to_pytorch").put(key, round(ours.get(key).asDouble() / best));
                }
                out.put("torch", runs[0].path("torch").asText());
            }
        } else {
            out.put("peer", noPeer ? "not run: --no-peer"
                    : "not run: give --peer-script FILE or set " + PeerScripts.ENV);
        }
        BenchFigures.print(spec, json, out);
        return SparsityBenchCli.EXIT_OK;
    }

    /** The best over {@link #threads} of {@link #ours(String, boolean, int)}. */
    private double ours(String name, boolean masked) throws IOException {
        double best = 0;
        for (int t : threads) {
            best = Math.max(best, ours(name, masked, t));
        }
        return best;
    }

    /** Median samples/s of one-epoch recovery runs over random data, after an untimed one. */
    private double ours(String name, boolean masked, int blasThreads) throws IOException {
        Model m = ModelFiles.read(samplesDir.resolve(name).resolve("model.onnx"));
        long[] dims = name.contains("lenet5") ? new long[] {1, 28, 28} : new long[] {784};
        GraphNetwork net = OnnxGraphReader.read(m, dims, false);
        Random rng = new Random(1);
        if (masked) {
            for (Param p : net.params().values()) {
                if (p.shape.length >= 2) {
                    p.frozen = new boolean[p.value.length];
                    for (int i = 0; i < p.value.length; i++) {
                        p.frozen[i] = rng.nextDouble() < 0.9;
                        if (p.frozen[i]) {
                            p.value[i] = 0f;
                        }
                    }
                }
            }
        }
        float[] x = new float[samples * 784];
        int[] y = new int[samples];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < samples; i++) {
            y[i] = rng.nextInt(10);
        }
        Recovery.Data data = new Recovery.Data(x, y, Arrays.copyOf(x, 784), new int[] {0}, null, 10);
        Recovery.Config cfg = new Recovery.Config(1, batch, 1e-3, 0, 1, 1, blasThreads);
        // One untimed pass first: the JIT compiles the loops and the native arrays are allocated.
        Recovery.run(net, m, data, cfg, null, e -> { }, CancellationToken.NONE);
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            double s = Recovery.run(net, m, data, cfg, null, e -> { }, CancellationToken.NONE).epochs().get(0).seconds();
            rates.add((samples / batch) * batch / s);
        }
        rates.sort(null);
        return rates.get(rates.size() / 2);
    }

    private JsonNode peer(ObjectMapper json, int peerThreads, boolean masked) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(peer, peerScript.toString(), "--model",
                only == null ? "both" : only, "--samples", String.valueOf(samples), "--batch", String.valueOf(batch),
                "--threads", String.valueOf(peerThreads), "--repeats", String.valueOf(repeats)));
        if (masked) {
            cmd.addAll(List.of("--masked", "0.9"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(peerScript + " failed: " + err.strip());
        }
        return json.readTree(stdout);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
