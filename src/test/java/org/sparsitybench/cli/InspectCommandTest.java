package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;

/** {@code sparsitybench inspect} as a user runs it: output, JSON shape, error lines and exit codes. */
class InspectCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparsityBenchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonListsEveryTensorWithTheDocumentedFields() throws Exception {
        Run r = cli("inspect", Fixtures.torch("cnn_bn.onnx").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals("onnx", root.get("format").asText());
        assertEquals(10, root.get("tensors").size());
        JsonNode conv = root.get("tensors").get(0);
        List<String> fields = new ArrayList<>();
        conv.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("name", "op", "node", "shape", "dtype", "params", "zeros", "nonFinite", "prunable",
                "pruneAxis"), fields);
        assertEquals("0.weight", conv.get("name").asText());
        assertEquals("Conv", conv.get("op").asText());
        assertEquals("[4,1,3,3]", conv.get("shape").toString());
        assertEquals("float", conv.get("dtype").asText());
        assertEquals(36, conv.get("params").asLong());
        assertTrue(conv.get("prunable").asBoolean());
        assertEquals(0, conv.get("pruneAxis").asInt());
        assertTrue(root.get("tensors").get(1).get("pruneAxis").isNull(), "a bias has no prune axis");
        JsonNode totals = root.get("totals");
        assertEquals(1363, totals.get("params").asLong());
        assertEquals(1332, totals.get("prunableParams").asLong());
        assertEquals(0, totals.get("zeros").asLong());
    }

    @Test
    void constantNodeWeightsAreNamedByTheirOutput() throws Exception {
        Run r = cli("inspect", Fixtures.torch("lstm.onnx").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode tensors = new ObjectMapper().readTree(r.out()).get("tensors");
        List<String> names = new ArrayList<>();
        tensors.forEach(t -> names.add(t.get("name").asText()));
        assertTrue(names.contains("/lstm/Constant_output_0"), names.toString());
    }

    @Test
    void tableShowsShapesPrunabilityAndTotals() {
        Run r = cli("inspect", Fixtures.torch("mlp.onnx").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("0.weight"), r.out());
        assertTrue(r.out().contains("[32, 16]"), r.out());
        assertTrue(r.out().contains("yes (axis 0)"), r.out());
        assertTrue(r.out().contains("6 tensors, 844 parameters"), r.out());
    }

    @Test
    void aCorruptModelGivesOneErrorLineNamingTheFileAndExitCode3() throws Exception {
        Path bad = dir.resolve("broken.onnx");
        byte[] good = Files.readAllBytes(Fixtures.torch("mlp.onnx"));
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 2));
        Run r = cli("inspect", bad.toString());
        assertEquals(3, r.code());
        assertEquals("", r.out());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: " + bad + ": "), lines[0]);
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug");
    }

    @Test
    void debugAddsTheStackTrace() throws Exception {
        Path bad = dir.resolve("empty.safetensors");
        Files.write(bad, new byte[3]);
        Run r = cli("inspect", bad.toString(), "--debug");
        assertEquals(3, r.code());
        assertTrue(r.err().startsWith("error: " + bad + ": "), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void aMissingFileIsBadInputAndAMissingArgumentIsAUsageError() {
        Run missing = cli("inspect", dir.resolve("nope.onnx").toString());
        assertEquals(3, missing.code());
        assertTrue(missing.err().startsWith("error: " + dir.resolve("nope.onnx")), missing.err());
        Run usage = cli("inspect");
        assertEquals(2, usage.code());
        assertTrue(usage.err().startsWith("error: "), usage.err());
        assertEquals(2, cli("frobnicate").code());
    }
}
