package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.tools.bench.large.LlamaCheckpoint;
import org.sparsitybench.tools.bench.large.LlamaShape;

/**
 * The native floor of {@code bench e2e} ({@code bench/native_floor.c}, compiled with the machine's {@code cc}) does
 * the prune's work, not less: on a generated BF16 checkpoint it writes the very tensor bytes {@code prune} writes
 * (the same global cut, the same ties pruned), and the bench times it beside the others.
 */
class NativeFloorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path source() {
        return Fixtures.projectDir().resolve("bench").resolve(NativeFloor.SOURCE);
    }

    @Test
    void theFloorWritesTheTensorsPruneWrites() throws Exception {
        Path model = dir.resolve("llama-like.safetensors");
        LlamaCheckpoint.generate(model, LlamaShape.forParams(1e7), "BF16", 11);
        byte[] before = Files.readAllBytes(model);
        Path exe = NativeFloor.compile("cc", source(), dir);
        Path floorOut = dir.resolve("floor.safetensors");
        Result floor = exec(NativeFloor.command(exe, model, floorOut, 0.6));
        assertEquals(0, floor.code(), floor.err());
        JsonNode line = JSON.readTree(floor.out().trim());

        Path ours = dir.resolve("ours.safetensors");
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("prune", model.toString(), "--out", ours.toString(),
                "--method", "global", "--sparsity", "0.6", "--no-eval");
        assertEquals(0, r.code(), r.err());

        Map<String, byte[]> a = tensors(floorOut);
        Map<String, byte[]> b = tensors(ours);
        assertEquals(b.keySet(), a.keySet());
        long zeros = 0;
        long prunable = 0;
        for (String name : a.keySet()) {
            assertArrayEquals(b.get(name), a.get(name), name + ": the floor's bytes are prune's");
            if (shapeRank(floorOut, name) >= 2) {
                ShortIterable w = new ShortIterable(a.get(name));
                prunable += w.count();
                zeros += w.zeros();
            }
        }
        assertEquals(Math.round(0.6 * prunable), line.get("pruned").asLong(), line.toString());
        assertTrue(zeros >= line.get("pruned").asLong(), zeros + " zeros");
        assertArrayEquals(before, Files.readAllBytes(model), "the input is never written");
        try (var left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().endsWith(".part")), "no temporary file left");
        }
    }

    @Test
    void aFloat32ModelIsRefusedNamingTheFile() throws Exception {
        Path model = dir.resolve("f32.safetensors");
        BenchE2eCommand.writeModel(model, 3, 64);
        Path exe = NativeFloor.compile("cc", source(), dir);
        Path out = dir.resolve("out.safetensors");
        Result r = exec(NativeFloor.command(exe, model, out, 0.5));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(model.toString()) && r.err().contains("not BF16 or F16"), r.err());
        assertFalse(Files.exists(out));

        // The bench goes on without it and says why.
        BenchPruneCommandTest.Run b = BenchPruneCommandTest.cli("bench", "e2e", "--model", model.toString(),
                "--no-peer", "--repeats", "1", "--settle", "0", "--dir", dir.resolve("work").toString());
        assertEquals(0, b.code(), b.err());
        JsonNode json = JSON.readTree(b.out());
        assertTrue(json.get("notes").toString().contains("native floor skipped") && json.get("notes").toString()
                .contains("not BF16 or F16"), b.out());
        assertFalse(json.get("medianMs").has("native"), b.out());
    }

    @Test
    void theBenchTimesTheFloorBesideThePrune() throws Exception {
        Path model = dir.resolve("llama-like.safetensors");
        LlamaCheckpoint.generate(model, LlamaShape.forParams(1e7), "BF16", 5);
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "e2e", "--model", model.toString(),
                "--no-peer", "--repeats", "2", "--settle", "0", "--dir", dir.resolve("work").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode json = JSON.readTree(r.out());
        double nativeMs = json.at("/medianMs/native").asDouble();
        assertTrue(nativeMs > 0, r.out());
        assertEquals(2, json.at("/timesMs/native").size(), r.out());
        assertEquals(json.at("/medianMs/prune").asDouble() / nativeMs, json.at("/ratios/pruneOverNative").asDouble(),
                0.01 * json.at("/ratios/pruneOverNative").asDouble() + 0.01, r.out());
        assertEquals(nativeMs / json.at("/medianMs/cp").asDouble(), json.at("/ratios/nativeOverCp").asDouble(),
                0.01 * json.at("/ratios/nativeOverCp").asDouble() + 0.01, r.out());
        assertEquals(nativeMs <= 3 * json.at("/medianMs/cp").asDouble(),
                json.at("/goals/nativeFloorAtMost3xCp").asBoolean(), r.out());
        // The same cut as the prune's.
        assertEquals(json.at("/pruneTotals/selectedParams").asLong() - json.at("/pruneTotals/selectedParamsKept").asLong(),
                json.at("/nativeLastRun/pruned").asLong(), r.out());
        try (var left = Files.list(dir.resolve("work"))) {
            assertEquals(List.of(), left.toList(), "the bench's files are deleted");
        }
        assertTrue(Files.exists(model));
    }

    /** The tensors' bytes of a SafeTensors file, by name. */
    private static Map<String, byte[]> tensors(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        Map<String, byte[]> out = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            int a = 8 + (int) n + e.getValue().get("data_offsets").get(0).asInt();
            int b = 8 + (int) n + e.getValue().get("data_offsets").get(1).asInt();
            out.put(e.getKey(), Arrays.copyOfRange(all, a, b));
        }
        return out;
    }

    private static int shapeRank(Path file, String name) throws IOException {
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, 8);
            long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonNode header = JSON.readTree(new String(in.readNBytes((int) n), StandardCharsets.UTF_8));
            return header.get(name).get("shape").size();
        }
    }

    /** 16-bit little-endian values: how many, how many are zero (either sign). */
    private record ShortIterable(byte[] bytes) {
        long count() {
            return bytes.length / 2;
        }

        long zeros() {
            long z = 0;
            for (int i = 0; i + 1 < bytes.length; i += 2) {
                if (bytes[i] == 0 && (bytes[i + 1] & 0x7f) == 0) {
                    z++;
                }
            }
            return z;
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try (InputStream e = p.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // what arrived is shown
            }
        });
        drain.start();
        String out;
        try (InputStream o = p.getInputStream()) {
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
        }
        int code = p.waitFor();
        drain.join();
        return new Result(code, out, err.toString(StandardCharsets.UTF_8));
    }
}
