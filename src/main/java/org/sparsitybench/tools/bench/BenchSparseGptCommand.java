package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.prune.reconstruct.Hessian;
import org.sparsitybench.prune.reconstruct.ReconstructionError;
import org.sparsitybench.prune.reconstruct.SparseGpt;
import org.sparsitybench.task.CancellationToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench bench sparsegpt}: one layer's SparseGPT (Hessian included) timed beside the PyTorch
 * reference ({@code peer_sparsegpt.py}) on the same seeded weights and calibration rows, in the same run; prints
 * both medians, their ratio, both output errors and the weights' relative difference as JSON.
 */
@Command(name = "sparsegpt", mixinStandardHelpOptions = true,
        description = "Time SparseGPT on one layer beside the PyTorch reference (prints JSON).")
public final class BenchSparseGptCommand implements Callable<Integer> {
    @Option(names = "--rows", split = ",", defaultValue = "1024,4096", description = "Rows of W per case (default ${DEFAULT-VALUE}).")
    List<Integer> rows;

    @Option(names = "--cols", split = ",", defaultValue = "1024,4096", description = "Columns of W per case (default ${DEFAULT-VALUE}).")
    List<Integer> cols;

    @Option(names = "--samples", defaultValue = "512", description = "Calibration rows (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--sparsity", defaultValue = "0.5", description = "Share pruned (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per side (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--peer-script", paramLabel = "PATH", description = "The reference script peer_sparsegpt.py (the "
            + "steering repository's shared/bench/; or set " + PeerScripts.ENV + "); without either only ours is timed.")
    Path peer;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default ${DEFAULT-VALUE}).")
    String python;

    @Mixin
    SeedOption seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rows.size() != cols.size()) {
            throw new SparsityBenchCli.UsageException("--rows and --cols need as many values each");
        }
        if (!(sparsity >= 0 && sparsity < 1) || samples < 1 || repeats < 1) {
            throw new SparsityBenchCli.UsageException("--sparsity in [0, 1), --samples and --repeats >= 1");
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        out.put("threads", Runtime.getRuntime().availableProcessors());
        ArrayNode cases = out.putArray("cases");
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Files.createTempDirectory("sparsitybench-bench-sparsegpt-");
        try {
            for (int i = 0; i < rows.size(); i++) {
                int r = rows.get(i);
                int c = cols.get(i);
                err.println("bench sparsegpt: " + r + " × " + c + ", " + samples + " calibration rows ...");
                err.flush();
                cases.add(runCase(json, dir, r, c, err));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        BenchFigures.print(spec, json, out);
        return SparsityBenchCli.EXIT_OK;
    }

    private ObjectNode runCase(ObjectMapper json, Path dir, int r, int c, PrintWriter err) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed.seed);
        float[] w = new float[r * c];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) gaussian(rnd);
        }
        // Correlated inputs: a few shared factors plus noise, as real activations are.
        float[] x = new float[samples * c];
        int factors = Math.max(1, c / 16);
        float[] mix = new float[factors * c];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = (float) gaussian(rnd);
        }
        for (int s = 0; s < samples; s++) {
            double[] z = new double[factors];
            for (int f = 0; f < factors; f++) {
                z[f] = gaussian(rnd);
            }
            for (int j = 0; j < c; j++) {
                double v = gaussian(rnd);
                for (int f = 0; f < factors; f++) {
                    v += z[f] * mix[f * c + j];
                }
                x[s * c + j] = (float) v;
            }
        }
        double[] wd = toDouble(w);
        double[] xd = toDouble(x);
        // Equal counts per block on both sides: the reference prunes one more than ⌊size·s⌋ per block.
        int block = SparseGpt.DEFAULT_BLOCK_SIZE;
        long[] k = new long[1];
        double peerSparsity = sparsity;
        if (c % block == 0) {
            long perBlock = (long) Math.floor((long) r * block * sparsity);
            k[0] = perBlock * (c / block);
            peerSparsity = perBlock == 0 ? 0 : (perBlock - 0.5) / ((double) r * block);
        } else {
            k[0] = Math.round(sparsity * w.length);
        }
        double[] ms = new double[repeats];
        SparseGpt.Result result = null;
        for (int t = 0; t < repeats; t++) {
            long t0 = System.nanoTime();
            Hessian h = new Hessian(c);
            h.add(xd, samples);
            result = SparseGpt.prune(wd, r, c, h.matrix(), new SparseGpt.Count(k[0]), SparseGpt.Settings.DEFAULT,
                    CancellationToken.NONE);
            ms[t] = (System.nanoTime() - t0) / 1e6;
        }
        ObjectNode o = json.createObjectNode();
        o.put("rows", r);
        o.put("cols", c);
        o.put("samples", samples);
        o.put("sparsity", sparsity);
        double ours = BenchFigures.median(ms);
        o.put("javaMs", BenchFigures.round(ours, 3));
        o.put("javaAchieved", (double) result.prunedCount() / w.length);
        o.put("javaRelErr", ReconstructionError.onInputs(xd, samples, wd, result.weights(), r, c));
        if (peer == null && System.getenv(PeerScripts.ENV) != null) {
            peer = PeerScripts.locate("bench sparsegpt", null, "peer_sparsegpt.py");
        }
        if (peer == null || !Files.isRegularFile(peer)) {
            o.put("peer", "not run: give --peer-script FILE or set " + PeerScripts.ENV);
            return o;
        }
        Path wf = PeerProcess.writeFloats(dir.resolve("w.f32"), w);
        Path xf = PeerProcess.writeFloats(dir.resolve("x.f32"), x);
        Path pf = dir.resolve("peer.f32");
        List<String> notes = new ArrayList<>();
        JsonNode peerOut = PeerProcess.run(python, peer, List.of(wf.toString(), String.valueOf(r), String.valueOf(c),
                xf.toString(), String.valueOf(samples), String.valueOf(peerSparsity), "--out", pf.toString(),
                "--repeats", String.valueOf(repeats)), PeerProcess.ONE_BLAS_THREAD, notes, err, json);
        if (peerOut == null) {
            o.put("peer", String.join("; ", notes));
            return o;
        }
        double theirs = peerOut.get("torch_sparsegpt_ms").asDouble();
        o.put("torchMs", theirs);
        o.put("torchAchieved", peerOut.get("achieved").asDouble());
        o.put("torchRelErr", peerOut.get("relErrSparseGPT").asDouble());
        o.put("magnitudeRelErr", peerOut.get("relErrMagnitude").asDouble());
        o.put("javaOverTorch", BenchFigures.round(ours / theirs, 3));
        float[] ref = PeerProcess.readFloats(pf, w.length);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (float) result.weights()[i] - ref[i];
            diff += d * d;
            norm += (double) ref[i] * ref[i];
        }
        o.put("weightsRelFrobenius", Math.sqrt(diff / norm));
        return o;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
