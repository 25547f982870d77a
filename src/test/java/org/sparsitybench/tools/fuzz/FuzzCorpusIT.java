package org.sparsitybench.tools.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;

/**
 * The malformed-input corpus at its CI size, in a child JVM capped at 256 MB as a user would run it through the
 * packaged launcher: 2,000 cases for each of the five formats, none may break the reader contract, and the
 * heap really was 256 MB (an OutOfMemoryError in any case would be reported as a bug).
 */
class FuzzCorpusIT {
    private static final Pattern SUMMARY = Pattern.compile(
            "^(\\w+): (\\d+) cases, (\\d+) loaded, (\\d+) rejected, (\\d+) bugs, [\\d.]+ s$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void twoThousandCasesPerFormatUnder256MegabytesKeepTheContract() throws Exception {
        Path script = Fixtures.projectDir().resolve("packaging/bin/sparsitybench");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "fuzz", "--format", "all", "--cases", "2000",
                "--seed", "1", "--dir", dir.resolve("run").toString()).directory(dir.toFile());
        pb.environment().put("JAVA_OPTS", "-Xmx256m -XshowSettings:vm");
        pb.environment().put("SPARSITYBENCH_TARGET", System.getProperty("sb.targetDir",
                Fixtures.projectDir().resolve("target").toString()));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "fuzz finished");
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        System.out.print(stdout);
        assertEquals(0, p.exitValue(), stdout + stderr);
        assertTrue(Pattern.compile("Max\\. Heap Size.*: 256\\.00M").matcher(stderr).find(),
                "the child JVM ran with -Xmx256m: " + stderr);
        Matcher m = SUMMARY.matcher(stdout);
        List<String> formats = new java.util.ArrayList<>();
        while (m.find()) {
            formats.add(m.group(1));
            assertEquals(2000, Integer.parseInt(m.group(2)), m.group());
            assertEquals(0, Integer.parseInt(m.group(5)), m.group());
            assertEquals(2000, Integer.parseInt(m.group(3)) + Integer.parseInt(m.group(4)), m.group());
            assertTrue(Integer.parseInt(m.group(3)) > 0 && Integer.parseInt(m.group(4)) > 0,
                    "both outcomes occur: " + m.group());
        }
        assertEquals(Corpora.names(), formats, stdout);
    }
}
