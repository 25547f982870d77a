package org.sparsitybench.prune.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.tools.bench.PeerProcess;

/**
 * Our SparseGPT against the reference in PyTorch ({@code peer_sparsegpt.py}, a copy of
 * {@code /work/shared/bench/peer_sparsegpt.py}) on the same W and X, one layer, non-sequential. The reference's
 * block mask prunes every score {@code <= sorted[k]}, one more than {@code k = ⌊size·s⌋} per block; it is asked
 * for {@code s = (K − ½)/size} so that it prunes exactly the K per block that our exact count gives each block.
 * Runs where Debian's python3-torch is installed.
 */
class SparseGptPeerTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    static boolean torchImportable() {
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unstructured", "2:4"})
    void reconstructedWeightsMatchTheReference(String mode) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && torchImportable(), "needs /usr/bin/python3 with torch");
        int rows = 64;
        int cols = 256;
        int samples = 128;
        Random rnd = new Random(42);
        float[] w = new float[rows * cols];
        float[] x = new float[samples * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        double[] xd = SparseGptTest.inputs(samples, cols, 43);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) xd[i];
        }
        Path wf = PeerProcess.writeFloats(dir.resolve("w.f32"), w);
        Path xf = PeerProcess.writeFloats(dir.resolve("x.f32"), x);
        Path out = dir.resolve("peer.f32");
        int perBlock = rows * 128 / 2;
        boolean nm = mode.equals("2:4");
        double peerSparsity = nm ? 0.5 : (perBlock - 0.5) / (rows * 128);
        List<String> args = new ArrayList<>(List.of(wf.toString(), String.valueOf(rows), String.valueOf(cols),
                xf.toString(), String.valueOf(samples), String.valueOf(peerSparsity), "--out", out.toString(),
                "--repeats", "1"));
        if (nm) {
            args.addAll(List.of("--nm", "2:4"));
        }
        List<String> notes = new ArrayList<>();
        JsonNode peer = PeerProcess.run(PYTHON.toString(),
                Fixtures.projectDir().resolve("src/test/resources/peers/peer_sparsegpt.py"), args,
                PeerProcess.ONE_BLAS_THREAD, notes, new PrintWriter(Writer.nullWriter()), new ObjectMapper());
        assertNotNull(peer, String.join("; ", notes));
        float[] ref = PeerProcess.readFloats(out, rows * cols);

        double[] wd = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            wd[i] = w[i];
        }
        double[] xs = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xs[i] = x[i];
        }
        Hessian h = new Hessian(cols);
        h.add(xs, samples);
        SparseGpt.Target target = nm ? new SparseGpt.NM(2, 4, cols) : new SparseGpt.Count(2L * perBlock);
        SparseGpt.Result ours = SparseGpt.prune(wd, rows, cols, h.matrix(), target, SparseGpt.Settings.DEFAULT,
                CancellationToken.NONE);
        double diff = 0;
        double norm = 0;
        long zeros = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (float) ours.weights()[i] - ref[i];
            diff += d * d;
            norm += (double) ref[i] * ref[i];
            zeros += ref[i] == 0 ? 1 : 0;
        }
        double rel = Math.sqrt(diff / norm);
        assertTrue(rel < 1e-3, "relative Frobenius difference " + rel);
        assertEquals(zeros, ours.prunedCount(), "achieved sparsity: peer " + peer.get("achieved"));
        assertEquals(0.5, (double) ours.prunedCount() / w.length, 1e-12);
    }
}
