package org.sparsitybench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;

/**
 * A real {@code sparsitybench prune ... --out OUT} in a child JVM, killed with SIGKILL while it writes OUT: the
 * source model and the previous export (with its report) stay byte-identical, no OUT is half-written, and the
 * temporary file the dead process leaves is removed by the next export (each kill's by the next child, the last
 * one's by a final export in this JVM).
 *
 * <p>The models are 12 MB; the child runs with {@link AtomicFiles#WRITE_DELAY_PROPERTY} so that each 1 MB step of
 * the writer's streaming loop takes a little longer, which lets the test kill it at chosen points of the write.
 */
class ExportKillTest {
    private static final long DELAY_MS = 60;
    private static final double[] KILL_AT = {0.1, 0.5, 0.9};

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"onnx", "safetensors"})
    void sigkillMidExportLeavesSourceAndPreviousExportByteIdentical(String format) throws Exception {
        Path source = dir.resolve("model." + format);
        if (format.equals("onnx")) {
            FaultFiles.onnxMlp(source, 3, 1024); // 3 × 4 MB
        } else {
            FaultFiles.safeTensors(source, 3, 1024, 1024);
        }
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("pruned." + format);
        String sourceSha = FaultFiles.sha256(source);

        assertEquals(0, pruneHere(source, out, 0.3), "the first export completes");
        Map<String, String> before = FaultFiles.fingerprint(outDir);
        assertTrue(before.containsKey(out.getFileName().toString()), before.toString());
        long expected = Files.size(out);

        for (double at : KILL_AT) {
            Process p = prune(source, out, 0.7, DELAY_MS);
            Path part = awaitPartFile(p, outDir, out, (long) (at * expected));
            long sizeAtKill = Files.size(part);
            p.destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "killed child exits");
            assertEquals(128 + 9, p.exitValue(), "destroyForcibly sends SIGKILL on Linux (exit status 128 + 9)");
            assertTrue(sizeAtKill > 0 && sizeAtKill < expected, "killed mid-write at " + sizeAtKill + " of " + expected);

            assertEquals(sourceSha, FaultFiles.sha256(source), "the source model is untouched");
            Map<String, String> after = FaultFiles.fingerprint(outDir);
            after.keySet().removeIf(name -> name.endsWith(".part"));
            assertEquals(before, after, "the previous export and its report are byte-identical after a kill at "
                    + at + "; no half-written OUT");
            // The dead process could not clean up its own temporary; this export removed those of earlier kills.
            assertEquals(List.of(part), FaultFiles.partFiles(outDir));
        }

        assertEquals(0, pruneHere(source, out, 0.7), "an export after the kills completes");
        assertEquals(List.of(), FaultFiles.partFiles(outDir), "the next export removed the dead processes' temporaries");
        assertNotEquals(before.get(out.getFileName().toString()), FaultFiles.sha256(out), "OUT now holds the new export");
        Model written = ModelFiles.read(out);
        long zeros = 0;
        long total = 0;
        for (var t : written.prunableTensors()) {
            for (float v : t.data().readAllFloats()) {
                zeros += v == 0f ? 1 : 0;
            }
            total += t.elementCount();
        }
        assertEquals(0.7, (double) zeros / total, 0.01, "the completed export is the 70% one");
        assertEquals(sourceSha, FaultFiles.sha256(source));
    }

    /** Waits until the child's temporary file for {@code out} has at least {@code bytes}; returns it. */
    private static Path awaitPartFile(Process p, Path outDir, Path out, long bytes) throws Exception {
        String prefix = "." + out.getFileName() + ".pid" + p.pid() + "-";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("the export finished (exit " + p.exitValue() + ") before reaching " + bytes + " bytes");
            }
            for (Path f : FaultFiles.list(outDir)) {
                String n = f.getFileName().toString();
                try {
                    if (n.startsWith(prefix) && n.endsWith(".part") && Files.size(f) >= bytes) {
                        return f;
                    }
                } catch (IOException e) {
                    // moved or deleted between listing and size: look again
                }
            }
            Thread.sleep(2);
        }
        p.destroyForcibly();
        fail("no temporary file of " + bytes + " bytes appeared");
        return null;
    }

    /** The same command in this JVM (the exports before and after the kills need no child). */
    private static int pruneHere(Path source, Path out, double sparsity) {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = SparsityBenchCli.run(new String[] {"prune", source.toString(), "--out", out.toString(), "--method",
                "magnitude", "--sparsity", Double.toString(sparsity)}, new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()), new java.io.PrintStream(err, true));
        assertEquals("", err.toString(), "no error output");
        return code;
    }

    /** {@code sparsitybench prune SOURCE --out OUT --sparsity S} in a child JVM on this test's classpath. */
    private static Process prune(Path source, Path out, double sparsity, long delayMs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        // The same --add-opens flags this JVM got from the pom's sb.jvm.opens (ND4J needs them).
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Djava.awt.headless=true");
        if (delayMs > 0) {
            cmd.add("-D" + AtomicFiles.WRITE_DELAY_PROPERTY + "=" + delayMs);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.sparsitybench.cli.SparsityBenchCli");
        cmd.addAll(List.of("prune", source.toString(), "--out", out.toString(), "--method", "magnitude",
                "--sparsity", Double.toString(sparsity)));
        // Output goes to a file beside the source so that a chatty child can never block on a full pipe.
        Path log = Files.createTempFile(source.getParent(), "child-", ".log");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
