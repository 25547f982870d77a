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

    private static Path builtTarget() {
        return Path.of(System.getProperty("sb.targetDir", Fixtures.projectDir().resolve("target").toString()));
    }

    private Result launch(String javaOpts, String... args) throws IOException, InterruptedException {
        return launch(javaOpts, builtTarget(), null, args);
    }

    private Result launch(String javaOpts, Path target, Path javaHome, String... args)
            throws IOException, InterruptedException {
        Path script = Fixtures.projectDir().resolve("packaging/bin/sparsitybench");
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("JAVA_OPTS", javaOpts);
        pb.environment().put("SPARSITYBENCH_TARGET", target.toString());
        pb.environment().remove("SPARSITYBENCH_NO_CDS");
        if (javaHome != null) {
            pb.environment().put("JAVA_HOME", javaHome.toString());
        }
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

    /**
     * The run that writes a command's class archive compiles in the foreground: JDK 17 archives a method still
     * waiting in the compile queue at exit as queued, and every later run then interprets it for good (JDK-8306460;
     * on the 1B prune the report's JSON stayed interpreted, 0.3 s of every run). Later runs map the archive and
     * compile in the background as usual.
     */
    @Test
    void theRunThatWritesTheClassArchiveLeavesNoMethodQueuedInIt() throws Exception {
        // A build tree of its own (the real jar and libraries) so that this test writes the archive.
        Path target = Files.createDirectories(dir.resolve("target"));
        Path built = builtTarget();
        try (var jars = Files.list(built)) {
            for (Path jar : (Iterable<Path>) jars.filter(p -> p.getFileName().toString().matches(
                    "sparsitybench-.*\\.jar"))::iterator) {
                Files.createSymbolicLink(target.resolve(jar.getFileName()), jar);
            }
        }
        Files.createSymbolicLink(target.resolve("lib"), built.resolve("lib"));
        // A java that notes its arguments, then runs the real one.
        Path bin = Files.createDirectories(dir.resolve("jdk/bin"));
        Path log = dir.resolve("java-args.txt");
        Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + realJava
                + "' \"$@\"\n");
        assertTrue(bin.resolve("java").toFile().setExecutable(true));
        String model = Fixtures.torch("cnn_bn.onnx").toString();

        Result first = launch("-Xmx256m", target, dir.resolve("jdk"), "inspect", model, "--json");
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.isRegularFile(target.resolve("cds/inspect.jsa")), "the first run wrote the archive");
        Result second = launch("-Xmx256m", target, dir.resolve("jdk"), "inspect", model, "--json");
        assertEquals(0, second.code(), second.err());
        assertEquals(first.out(), second.out());

        List<String> runs = Files.readAllLines(log);
        assertEquals(2, runs.size(), runs.toString());
        assertTrue(runs.get(0).contains("-XX:ArchiveClassesAtExit="), runs.get(0));
        assertTrue(runs.get(0).contains("-XX:-BackgroundCompilation"), "the archiving run: " + runs.get(0));
        assertTrue(runs.get(1).contains("-XX:SharedArchiveFile=" + target.resolve("cds/inspect.jsa")), runs.get(1));
        assertTrue(!runs.get(1).contains("BackgroundCompilation"), "later runs compile in the background: "
                + runs.get(1));
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
