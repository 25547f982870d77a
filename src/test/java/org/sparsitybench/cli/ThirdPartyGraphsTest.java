package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Ort;
import org.sparsitybench.testing.PythonOnnx;

/**
 * {@code prune} on the graph shapes that broke on third-party models (issue 20), each a small fixture made by
 * {@code fixtures/thirdparty/make_fixtures.py}; outputs checked in ONNX Runtime and read back with Python's onnx.
 */
class ThirdPartyGraphsTest {
    @TempDir
    Path dir;

    static JsonNode report(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolveSibling(out.getFileName() + ".report.json").toFile());
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    @Test
    void aConcatFeedingADepthwiseConvIsCompactedWithTheDepthwiseGroupUpdated() throws Exception {
        Path in = PythonOnnx.copy("concat_dw.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5", "--compact");
        assertEquals(0, r.code(), r.err());
        assertTrue(report(out).get("compactionCheck").get("passed").asBoolean());
        JsonNode py = PythonOnnx.read(out);
        long kept = py.get("tensors").get("dw.weight").get("shape").get(0).asLong();
        assertTrue(kept < 11, "channels removed: " + kept);
        assertEquals(kept, py.get("nodes").get("/dw/Conv").get("attrs").get("group").asLong());
        assertEquals(py.get("tensors").get("a.weight").get("shape").get(0).asLong()
                + py.get("tensors").get("b.weight").get("shape").get(0).asLong(), kept);
        float[] y = Ort.run(out, "input", random(2 * 3 * 8 * 8, 1), 2, 3, 8, 8);
        assertEquals(8, y.length);
    }

    @Test
    void structuredPruningKeepsTheClassesOfAHeadBehindItsSoftmax() throws Exception {
        Path in = PythonOnnx.copy("head_softmax.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5");
        assertEquals(0, r.code(), r.err());
        JsonNode py = PythonOnnx.read(out);
        assertEquals(3 * 12, py.get("tensors").get("l2.weight").get("nonZeros").asInt(), "every class kept whole");
        assertTrue(py.get("tensors").get("l1.weight").get("nonZeros").asInt() < 12 * 16, "the hidden layer pruned");
        for (JsonNode layer : report(out).get("layers")) {
            if (layer.get("name").asText().equals("l2.weight")) {
                layer.get("keptPerChannel").forEach(c -> assertEquals(12, c.asInt(), "class row kept: " + layer));
            }
        }
        float[] y = Ort.run(out, "input", random(16, 2), 1, 16);
        assertEquals(3, y.length);
    }

    @Test
    void nmPrunesLstmAndGruWeightsAlongTheirInputDimension() throws Exception {
        Path in = PythonOnnx.copy("rnn.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "nm", "--nm", "2:4");
        assertEquals(0, r.code(), r.err());
        org.sparsitybench.model.Model m = new org.sparsitybench.formats.onnx.OnnxReader().read(out);
        int recurrent = 0;
        for (org.sparsitybench.model.WeightTensor t : m.prunableTensors()) {
            if (!t.op().equals("LSTM") && !t.op().equals("GRU")) {
                continue;
            }
            recurrent++;
            float[] v = t.data().readAllFloats();
            int in4 = (int) t.dim(2);
            for (int row = 0; row < v.length / in4; row++) {
                for (int g = 0; g < in4; g += 4) {
                    int nz = 0;
                    for (int q = 0; q < 4; q++) {
                        nz += v[row * in4 + g + q] != 0f ? 1 : 0;
                    }
                    assertEquals(2, nz, t.name() + " row " + row + " group " + g);
                }
            }
        }
        assertEquals(4, recurrent, "W and R of the LSTM and the GRU");
        JsonNode py = PythonOnnx.read(out);
        py.get("tensors").fields().forEachRemaining(e -> {
            if (m.tensor(e.getKey()).map(t -> t.prunable() && (t.op().equals("LSTM") || t.op().equals("GRU"))).orElse(false)) {
                long size = 1;
                for (JsonNode d : e.getValue().get("shape")) {
                    size *= d.asLong();
                }
                assertEquals(size / 2, e.getValue().get("nonZeros").asLong(), e.getKey());
            }
        });
        float[] y = Ort.run(out, "input", random(2 * 5 * 16, 3), 2, 5, 16);
        assertEquals(6, y.length);
    }

    @Test
    void zerosAlreadyInTheFileAreReportedAsTheWrittenTensorHoldsThem() throws Exception {
        Path in = PythonOnnx.copy("prezeroed.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.5");
        assertEquals(0, r.code(), r.err());
        JsonNode layer = report(out).get("layers").get(0);
        JsonNode py = PythonOnnx.read(out);
        long nonZeros = py.get("tensors").get("fc.w").get("nonZeros").asLong();
        assertEquals(229, nonZeros, "the 229 non-zeros survive a 50 % magnitude request");
        assertEquals(nonZeros, layer.get("kept").asLong(), layer.toString());
        assertEquals(1 - 229.0 / 8192, layer.get("achieved").asDouble(), 1e-12);
        assertEquals(1 - 229.0 / 8192, report(out).get("totals").get("achieved").asDouble(), 1e-12);
        long perChannel = 0;
        for (JsonNode c : layer.get("keptPerChannel")) {
            perChannel += c.asLong();
        }
        assertEquals(nonZeros, perChannel, "keptPerChannel counts what the tensor holds too");
    }

    @Test
    void sparseStorageStoresConstantsAndSubgraphWeightsSparseAndOnnxRuntimeComputesTheSame() throws Exception {
        Path in = PythonOnnx.copy("const_sub.onnx", dir);
        Path dense = dir.resolve("dense.onnx");
        Path sparse = dir.resolve("sparse.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", dense.toString(), "--sparsity", "0.9").code());
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", sparse.toString(), "--sparsity", "0.9",
                "--sparse-storage");
        assertEquals(0, r.code(), r.err());
        JsonNode storage = report(sparse).get("sparseStorage");
        java.util.Set<String> stored = new java.util.TreeSet<>();
        storage.get("stored").forEach(n -> stored.add(n.asText()));
        assertEquals(new java.util.TreeSet<>(java.util.List.of("fc1.w", "mm.w", "then.w", "else.w")), stored);
        JsonNode py = PythonOnnx.read(sparse);
        JsonNode pyDense = PythonOnnx.read(dense);
        for (String name : stored) {
            JsonNode t = py.get("tensors").get(name);
            assertTrue(t.path("sparse").asBoolean(), name + " stored sparse: " + t);
            assertEquals(pyDense.get("tensors").get(name).get("nonZeros"), t.get("nonZeros"), name);
        }
        assertTrue(py.get("tensors").get("mm.w").path("constant").asBoolean(), "the Constant keeps its node");
        assertEquals("/if", py.get("tensors").get("then.w").get("where").asText());
        assertTrue(Files.size(sparse) < Files.size(dense), Files.size(sparse) + " vs " + Files.size(dense));
        for (float sign : new float[] {1, -1}) { // both branches of the If
            float[] x = random(8, 4);
            for (int i = 0; i < x.length; i++) {
                x[i] = sign * Math.abs(x[i]);
            }
            assertArrayEquals(Ort.run(dense, "input", x, 1, 8), Ort.run(sparse, "input", x, 1, 8), 0f);
        }
    }

    /** Every file in the folder, by name. */
    private java.util.List<String> files() throws Exception {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The external data file holds exactly the bytes its tensors reference: no padding, no stale tensors. */
    private static void assertDataFileHoldsOnlyReferencedBytes(JsonNode py, String dataName) {
        JsonNode ranges = py.get("external").get(dataName);
        assertTrue(ranges != null && ranges.size() > 0, "tensors in " + dataName + ": " + py.get("external"));
        java.util.List<long[]> spans = new java.util.ArrayList<>();
        ranges.forEach(x -> spans.add(new long[] {x.get(0).asLong(), x.get(1).asLong()}));
        spans.sort(java.util.Comparator.comparingLong(x -> x[0]));
        long end = 0;
        for (long[] x : spans) {
            assertEquals(end, x[0], "the next tensor starts where the last ended: " + ranges);
            end = x[0] + x[1];
        }
        assertEquals(end, py.get("dataFiles").get(dataName).asLong(), "no byte after the last tensor");
    }

    @Test
    void compactingAModelWithExternalDataWritesASelfContainedOutAndNoTemporaries() throws Exception {
        Path in = PythonOnnx.copy("concat_dw_ext.onnx", dir);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("small.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5", "--compact");
        assertEquals(0, r.code(), r.err());
        try (var list = Files.list(outDir)) {
            assertEquals(java.util.List.of("small.onnx", "small.onnx.data", "small.onnx.report.json"),
                    list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        JsonNode py = PythonOnnx.read(out);
        assertEquals(java.util.Set.of("small.onnx.data"), iterable(py.get("external").fieldNames()));
        assertDataFileHoldsOnlyReferencedBytes(py, "small.onnx.data");
        // Moved elsewhere with its data file, the export still runs.
        Path moved = Files.createDirectory(dir.resolve("moved"));
        Files.move(out, moved.resolve("small.onnx"));
        Files.move(outDir.resolve("small.onnx.data"), moved.resolve("small.onnx.data"));
        assertEquals(8, Ort.run(moved.resolve("small.onnx"), "input", random(2 * 3 * 64, 5), 2, 3, 8, 8).length);
    }

    @Test
    void aFailedCompactionOfAModelWithExternalDataLeavesTheOutputFolderAsItWas() throws Exception {
        Path in = PythonOnnx.copy("concat_dw_ext.onnx", dir);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("small.onnx");
        // An earlier export stays intact while a later one fails in ONNX Runtime's check.
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.3").code());
        java.util.List<String> before;
        try (var list = Files.list(outDir)) {
            before = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        byte[] earlier = Files.readAllBytes(out);
        // A compaction whose tensors were tampered with (the first sliced tensor doubled) fails ONNX Runtime's check.
        org.sparsitybench.model.Model m = new org.sparsitybench.formats.onnx.OnnxReader().read(in);
        org.sparsitybench.prune.PruningResult result = new org.sparsitybench.prune.PruningEngine(m).run(
                org.sparsitybench.prune.PruningConfig.of(org.sparsitybench.prune.GlobalSettings.of(0.5, "l1-structured",
                        org.sparsitybench.prune.Allocation.UNIFORM)), org.sparsitybench.task.ProgressListener.NONE,
                org.sparsitybench.task.CancellationToken.NONE);
        org.sparsitybench.eval.PruneExport.Options options = new org.sparsitybench.eval.PruneExport.Options(out, true, false);
        org.sparsitybench.eval.PruneExport.Request good = org.sparsitybench.eval.PrunePipeline.exportRequest(m, result, options,
                org.sparsitybench.task.CancellationToken.NONE);
        java.util.Map<String, org.sparsitybench.prune.structure.ChannelCompactor.Sliced> tampered =
                new java.util.LinkedHashMap<>(good.compaction().tensors());
        String first = tampered.keySet().iterator().next();
        float[] doubled = tampered.get(first).values().clone();
        for (int i = 0; i < doubled.length; i++) {
            doubled[i] *= 2;
        }
        tampered.put(first, new org.sparsitybench.prune.structure.ChannelCompactor.Sliced(tampered.get(first).shape(), doubled));
        org.sparsitybench.eval.PruneExport.Request bad = new org.sparsitybench.eval.PruneExport.Request(m, in,
                good.method(), good.requested(), good.config(), good.layers(), good.masks(), good.values(),
                good.excluded(), good.extra(), new org.sparsitybench.prune.structure.ChannelCompactor.Compaction(tampered,
                good.compaction().attributes(), good.compaction().removed()), options);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.sparsitybench.eval.PruneExport.CompactionCheckException.class,
                () -> org.sparsitybench.eval.PruneExport.write(bad, org.sparsitybench.task.ProgressListener.NONE,
                        org.sparsitybench.task.CancellationToken.NONE));
        assertTrue(e.getMessage().startsWith(out.toString()), e.getMessage());
        try (var list = Files.list(outDir)) {
            assertEquals(before, list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertArrayEquals(earlier, Files.readAllBytes(out));
        assertEquals(8, Ort.run(out, "input", random(2 * 3 * 64, 6), 2, 3, 8, 8).length);
    }

    private static java.util.Set<String> iterable(java.util.Iterator<String> it) {
        java.util.Set<String> s = new java.util.TreeSet<>();
        it.forEachRemaining(s::add);
        return s;
    }

    @Test
    void externalDataIsNotPaddedAndSparseStorageLeavesNoStaleDenseBytes() throws Exception {
        Path in = PythonOnnx.copy("concat_dw_ext.onnx", dir);
        Path dense = dir.resolve("dense.onnx");
        Path sparse = dir.resolve("sparse.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", dense.toString(), "--sparsity", "0.5").code());
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", sparse.toString(), "--sparsity", "0.9",
                "--sparse-storage").code());
        long inputBytes = Files.size(in) + Files.size(dir.resolve("concat_dw_ext.onnx.data"));
        JsonNode pyDense = PythonOnnx.read(dense);
        assertDataFileHoldsOnlyReferencedBytes(pyDense, "dense.onnx.data");
        assertTrue(Files.size(dense) + Files.size(dir.resolve("dense.onnx.data")) < inputBytes + 1024,
                "a pruned copy is about as large as its input");
        JsonNode pySparse = PythonOnnx.read(sparse);
        JsonNode stored = report(sparse).get("sparseStorage").get("stored");
        assertTrue(stored.size() > 0, report(sparse).toString());
        for (JsonNode name : stored) {
            assertTrue(pySparse.get("tensors").get(name.asText()).path("sparse").asBoolean(), name.asText());
            pySparse.get("external").forEach(ranges -> ranges.forEach(x ->
                    assertTrue(!x.get(2).asText().equals(name.asText()), name + " has no dense bytes left")));
        }
        assertDataFileHoldsOnlyReferencedBytes(pySparse, "sparse.onnx.data");
        float[] x = random(2 * 3 * 64, 7);
        assertEquals(8, Ort.run(sparse, "input", x, 2, 3, 8, 8).length);
    }

    @Test
    void theReportSaysNaForLayersWhoseFlopsCannotBeTold() throws Exception {
        Path in = PythonOnnx.copy("const_sub.onnx", dir);
        Path out = dir.resolve("out.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.5").code());
        JsonNode rep = report(out);
        java.util.Map<String, JsonNode> flops = new java.util.TreeMap<>();
        rep.get("layers").forEach(l -> flops.put(l.get("name").asText(), l.get("flops")));
        // Inside the If's branches no shapes are propagated; the main graph's layers are counted.
        assertEquals("n/a", flops.get("then.w").asText());
        assertEquals("n/a", flops.get("else.w").asText());
        assertEquals(2 * 32, flops.get("fc1.w").asLong(), "one row through 32 kept weights");
        assertEquals(java.util.Set.of("else.w", "then.w"), iterable(java.util.stream.StreamSupport.stream(
                rep.get("totals").get("flopsUnknown").spliterator(), false).map(JsonNode::asText).iterator()));
    }

    /** 30 rows of 16 features and a label 0–2, and a model card for [1, 16] inputs written to {@code card}. */
    private Path csvAndCard(Path card) throws Exception {
        StringBuilder csv = new StringBuilder();
        float[] x = random(30 * 16, 8);
        for (int row = 0; row < 30; row++) {
            for (int c = 0; c < 16; c++) {
                csv.append(x[row * 16 + c]).append(',');
            }
            csv.append(row % 3).append('\n');
        }
        Path data = dir.resolve("d.csv");
        Files.writeString(data, csv.toString());
        Files.writeString(card, "{\"input\": \"input\", \"inputShape\": [1, 16], \"layout\": \"NC\", \"scale\": 1, "
                + "\"mean\": [0], \"std\": [1], \"labels\": [\"a\", \"b\", \"c\"]}");
        return data;
    }

    @Test
    void aModelWithAFixedBatchOfOneIsEvaluatedOneSampleAtATimeAndSaysSo() throws Exception {
        Path in = PythonOnnx.copy("fixed_batch.onnx", dir);
        Path data = csvAndCard(dir.resolve("model-card.json"));
        Run r = InspectCommandTest.cli("eval", in.toString(), "--data", data.toString(), "--latency-runs", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(30, j.get("samples").asInt());
        assertEquals(1, j.get("fixedBatch").asInt());
        assertEquals(1, j.get("latency").get("batch").asInt());
        // The same accuracy, sample by sample in ONNX Runtime directly.
        String[] rows = Files.readString(data).split("\n");
        int correct = 0;
        for (String row : rows) {
            String[] f = row.split(",");
            float[] v = new float[16];
            for (int c = 0; c < 16; c++) {
                v[c] = Float.parseFloat(f[c]);
            }
            float[] y = Ort.run(in, "input", v, 1, 16);
            int best = 0;
            for (int c = 1; c < y.length; c++) {
                best = y[c] > y[best] ? c : best;
            }
            correct += best == Integer.parseInt(f[16]) ? 1 : 0;
        }
        assertEquals(correct / 30.0, j.get("accuracy").asDouble(), 1e-12);
        Run text = InspectCommandTest.cli("eval", in.toString(), "--data", data.toString(), "--latency-runs", "0");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("fixed batch of 1"), text.out());
    }

    @Test
    void wandaCalibratesAModelWithAFixedBatchOfOneAndPruneAcceptsPreprocess() throws Exception {
        Path in = PythonOnnx.copy("fixed_batch.onnx", dir);
        Path card = dir.resolve("elsewhere.json");
        Path data = csvAndCard(card);
        Path out = dir.resolve("out.onnx");
        Run missing = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "wanda",
                "--data", data.toString(), "--calibration", "20");
        assertEquals(3, missing.code(), missing.err());
        assertTrue(missing.err().startsWith("error: " + in) && missing.err().contains("--preprocess"), missing.err());
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "wanda",
                "--data", data.toString(), "--calibration", "20", "--preprocess", card.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode py = PythonOnnx.read(out);
        assertEquals(8 * 16 / 2, py.get("tensors").get("l1.weight").get("nonZeros").asInt());
        assertEquals(20, report(out).get("calibrationSamples").asInt());
    }

    @Test
    void aModelThatFailsInOnnxRuntimeIsReportedAsOneLineNamingTheFile() throws Exception {
        // A Reshape to [7, -1] cannot hold a batch of 30 × 16 values: ONNX Runtime fails while running it.
        org.sparsitybench.formats.onnx.OnnxModelBuilder b = new org.sparsitybench.formats.onnx.OnnxModelBuilder("bad", 13)
                .input("input", 1, -1, 16).output("output", 1, 7, -1);
        b.initializer(org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor("shape", new long[] {7, -1}, 2));
        b.node("Reshape", new String[] {"input", "shape"}, new String[] {"output"});
        Path in = dir.resolve("bad.onnx");
        b.save(in);
        Path data = csvAndCard(dir.resolve("model-card.json"));
        Run r = InspectCommandTest.cli("eval", in.toString(), "--data", data.toString(), "--latency-runs", "0");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: " + in + ": ONNX Runtime could not run the model"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aScratchCopyForEvaluatingAModelWithExternalDataLeavesNoDataFileBehind() throws Exception {
        Path in = PythonOnnx.copy("concat_dw_ext.onnx", dir);
        org.sparsitybench.model.Model m = new org.sparsitybench.formats.onnx.OnnxReader().read(in);
        org.sparsitybench.prune.PruningResult result = new org.sparsitybench.prune.PruningEngine(m).run(
                org.sparsitybench.prune.PruningConfig.of(org.sparsitybench.prune.GlobalSettings.of(0.5, "magnitude",
                        org.sparsitybench.prune.Allocation.UNIFORM)), org.sparsitybench.task.ProgressListener.NONE,
                org.sparsitybench.task.CancellationToken.NONE);
        java.util.List<String> before = files();
        Path scratch = org.sparsitybench.eval.TemporaryModels.write(m, result.masks(),
                org.sparsitybench.task.CancellationToken.NONE);
        try {
            assertEquals(8, Ort.run(scratch, "input", random(2 * 3 * 64, 9), 2, 3, 8, 8).length);
            java.util.List<String> during = new java.util.ArrayList<>(files());
            during.remove(scratch.getFileName().toString());
            assertEquals(before, during, "only the scratch model itself, no data file of its own");
        } finally {
            Files.deleteIfExists(scratch);
        }
        assertEquals(before, files());
    }
}
