package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a peer script and reads the one JSON object it prints last. A peer that cannot run (no Python, a missing
 * module, a timeout) does not fail the bench: the reason goes into the bench's notes and the peer's figures are
 * left out.
 */
public final class PeerProcess {
    private static final long TIMEOUT_MINUTES = 30;
    /** The environment of a peer that must use one BLAS thread (the machine is shared; ratios need like for like). */
    public static final Map<String, String> ONE_BLAS_THREAD = Map.of("OPENBLAS_NUM_THREADS", "1");

    private PeerProcess() {
    }

    /** The Python to run peers with: {@code option} if given, else {@code /usr/bin/python3} if present, else {@code python3}. */
    public static String python(String option) {
        if (option != null) {
            return option;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /**
     * Runs {@code python script args...} and parses the last JSON object on its stdout.
     *
     * @param notes receives one line saying why when the peer gives no figures (modified)
     * @param err   progress line before the run (modified)
     * @return the peer's JSON, or null when it gave none
     */
    public static JsonNode run(String python, Path script, List<String> args, List<String> notes, PrintWriter err,
                               ObjectMapper json) {
        return run(python, script, args, Map.of(), notes, err, json);
    }

    /**
     * As {@link #run(String, Path, List, List, PrintWriter, ObjectMapper)} with {@code env} added to the peer's
     * environment (e.g. {@link #ONE_BLAS_THREAD} for a PyTorch peer timed beside one Java thread).
     */
    public static JsonNode run(String python, Path script, List<String> args, Map<String, String> env,
                               List<String> notes, PrintWriter err, ObjectMapper json) {
        err.println("bench: peer " + python + " " + script + " ...");
        err.flush();
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(args);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
            builder.environment().putAll(env);
            Process p = builder.start();
            p.getOutputStream().close();
            byte[] stdout;
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            try (InputStream so = p.getInputStream(); InputStream se = p.getErrorStream()) {
                Thread drain = new Thread(() -> {
                    try {
                        se.transferTo(stderr);
                    } catch (IOException ignored) {
                        // whatever arrived is reported
                    }
                });
                drain.start();
                stdout = so.readAllBytes();
                drain.join();
            }
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                notes.add("peer skipped: timed out");
                return null;
            }
            if (p.exitValue() != 0) {
                notes.add("peer skipped: " + python + " exited with " + p.exitValue()
                        + " (python3 with numpy needed): " + lastLine(stderr.toString(StandardCharsets.UTF_8)));
                return null;
            }
            String text = new String(stdout, StandardCharsets.UTF_8).trim();
            int brace = text.lastIndexOf("\n{");
            return json.readTree(brace >= 0 ? text.substring(brace + 1) : text);
        } catch (IOException e) {
            notes.add("peer skipped: cannot run " + python + ": " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notes.add("peer skipped: interrupted");
            return null;
        }
    }

    /** Writes {@code values} (not modified) as little-endian float32, the raw format peers read; returns {@code file}. */
    public static Path writeFloats(Path file, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float q : values) {
            b.putFloat(q);
        }
        return Files.write(file, b.array());
    }

    /** Reads the first {@code n} little-endian float32 values of {@code file}, as peers write them. */
    public static float[] readFloats(Path file, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }
}
