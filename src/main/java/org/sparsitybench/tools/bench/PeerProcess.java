package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a peer script and reads the one JSON object it prints last. A peer that cannot run (no Python, a missing
 * module, a timeout) does not fail the bench: the reason goes into the bench's notes and the peer's figures are
 * left out.
 */
public final class PeerProcess {
    private static final long TIMEOUT_MINUTES = 30;

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
        err.println("bench: peer " + python + " " + script + " ...");
        err.flush();
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
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

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }
}
