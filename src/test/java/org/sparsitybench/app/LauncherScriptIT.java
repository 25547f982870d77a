package org.sparsitybench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;

/** The packaged launcher, run as a user would after {@code mvn package}: no Maven on the path of the call. */
class LauncherScriptIT {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result launch(String javaOpts, String... args) throws IOException, InterruptedException {
        Path script = Fixtures.projectDir().resolve("packaging/bin/sparsitybench");
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("JAVA_OPTS", javaOpts);
        pb.environment().put("SPARSITYBENCH_TARGET", System.getProperty("sb.targetDir",
                Fixtures.projectDir().resolve("target").toString()));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void inspectRunsFromTheBuiltTreeWithJavaOpts() throws Exception {
        Result r = launch("-Xmx256m -XshowSettings:properties", "inspect", Fixtures.torch("cnn_bn.onnx").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(10, json.get("tensors").size());
        assertTrue(r.err().contains("java.home"), "JAVA_OPTS reached the JVM");
    }

    @Test
    void aBadFileExitsWith3AndOneErrorLine() throws Exception {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{'});
        Result r = launch("", "inspect", bad.toString());
        assertEquals(3, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + bad + ": "), r.err());
    }
}
