package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.testing.Fixtures;

/**
 * SparseGPT, least-squares reconstruction, bias correction and BatchNorm re-estimation from the command line on
 * the bundled samples: calibration on 128 images of the Fashion-MNIST training file (Debian's
 * dataset-fashion-mnist; the validation split stands in until the project splits it), accuracy on the first
 * 2,000 test images.
 */
class SparseGptCommandTest {
    static final Path CALIBRATION = Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
    static final String TEST = "sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz";

    @TempDir
    Path dir;

    private record Pruned(Path model, JsonNode report, double accuracy) {
    }

    private Pruned prune(String sample, String tag, String... options) throws Exception {
        return prune(Fixtures.projectDir().resolve("sample-models").resolve(sample).resolve("model.onnx"), sample, tag,
                options);
    }

    private Pruned prune(Path model, String sample, String tag, String... options) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(sample + "-" + tag));
        Path out = folder.resolve("model.onnx");
        List<String> args = new ArrayList<>(List.of("prune", model.toString(), "--out", out.toString(), "--data",
                CALIBRATION.toString(), "--calibration", "128"));
        args.addAll(List.of(options));
        Run p = InspectCommandTest.cli(args.toArray(String[]::new));
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.isRegularFile(folder.resolve("model-card.json")), "prune copies the model card beside its output");
        Run e = InspectCommandTest.cli("eval", out.toString(), "--data",
                Fixtures.projectDir().resolve(TEST).toString(), "--json", "--latency-runs", "0", "--limit", "2000");
        assertEquals(0, e.code(), e.err());
        JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolveSibling("model.onnx.report.json")));
        return new Pruned(out, report, new ObjectMapper().readTree(e.out()).get("accuracy").asDouble());
    }

    @Test
    void sparseGptBeatsWandaBeatsMagnitudeAtSeventyPercentOnLenet5() throws Exception {
        double s = prune("fashion-lenet5", "s", "--method", "sparsegpt", "--sparsity", "0.7").accuracy();
        double w = prune("fashion-lenet5", "w", "--method", "wanda", "--sparsity", "0.7").accuracy();
        double m = prune("fashion-lenet5", "m", "--method", "magnitude", "--sparsity", "0.7").accuracy();
        assertTrue(s >= w && w >= m, "sparsegpt " + s + ", wanda " + w + ", magnitude " + m);
    }

    @Test
    void sparseGptIsThreePointsAboveMagnitudeAtSeventyPercentOnLenet300() throws Exception {
        Pruned s = prune("fashion-lenet-300-100", "s", "--method", "sparsegpt", "--sparsity", "0.7");
        double w = prune("fashion-lenet-300-100", "w", "--method", "wanda", "--sparsity", "0.7").accuracy();
        double m = prune("fashion-lenet-300-100", "m", "--method", "magnitude", "--sparsity", "0.7").accuracy();
        assertTrue(s.accuracy() >= w && w >= m, "sparsegpt " + s.accuracy() + ", wanda " + w + ", magnitude " + m);
        assertTrue(s.accuracy() >= m + 0.03, "sparsegpt " + s.accuracy() + " vs magnitude " + m);
        for (JsonNode l : s.report().get("reconstruction").get("layers")) {
            assertTrue(l.get("relErrorAfter").asDouble() < l.get("relErrorMaskOnly").asDouble(), l.toString());
        }
        assertEquals(0.7, s.report().get("totals").get("achieved").asDouble(), 1e-4);
    }

    /**
     * Nine Conv/BatchNorm layers with residual Adds: solved towards the layer's own output on drifted inputs (the
     * paper's objective) SparseGPT collapsed with every other method (15 % on all 10,000 test images); towards the
     * dense model's output it keeps 82 %, magnitude 19 %.
     */
    @Test
    void sparseGptHoldsTheResidualModelAtSeventyPercent() throws Exception {
        Pruned s = prune("fashion-resnet-mini", "s70", "--method", "sparsegpt", "--sparsity", "0.7");
        double m = prune("fashion-resnet-mini", "m70", "--method", "magnitude", "--sparsity", "0.7").accuracy();
        assertTrue(s.accuracy() > 0.7 && s.accuracy() > m + 0.3, "sparsegpt " + s.accuracy() + ", magnitude " + m);
        for (JsonNode l : s.report().get("reconstruction").get("layers")) {
            assertEquals("dense layer output", l.get("errorAgainst").asText());
            assertTrue(l.get("relErrorAfter").asDouble() < l.get("relErrorMaskOnly").asDouble(), l.toString());
        }
    }

    @Test
    void sparseGptTwoFourKeepsThePatternAndBeatsMagnitudeTwoFour() throws Exception {
        Pruned s = prune("fashion-lenet5", "s24", "--method", "sparsegpt", "--nm", "2:4");
        double m = prune("fashion-lenet5", "m24", "--method", "nm", "--nm", "2:4").accuracy();
        assertTrue(s.accuracy() >= m, "sparsegpt 2:4 " + s.accuracy() + " vs magnitude 2:4 " + m);
        assertEquals("sparsegpt-nm", s.report().get("layers").get(0).get("method").asText());
        Model out = ModelFiles.read(s.model());
        for (WeightTensor t : out.prunableTensors()) {
            float[] v = t.data().readAllFloats();
            long[] shape = t.shape();
            int in = (int) shape[1];
            int inner = v.length / (int) shape[0] / in;
            for (int o = 0; o < shape[0]; o++) {
                for (int j = 0; j < inner; j++) {
                    for (int g = 0; g + 4 <= in; g += 4) {
                        int nonZero = 0;
                        for (int q = 0; q < 4; q++) {
                            nonZero += v[(o * in + g + q) * inner + j] != 0 ? 1 : 0;
                        }
                        assertTrue(nonZero <= 2, t.name() + " row " + o + " group " + g);
                    }
                }
            }
        }
    }

    @Test
    void reconstructionLowersEveryLayersErrorAndChangesOnlyWeightsAndBiases() throws Exception {
        Pruned p = prune("fashion-lenet-300-100", "r", "--method", "magnitude", "--sparsity", "0.8", "--reconstruct",
                "--bias-correction");
        Pruned plain = prune("fashion-lenet-300-100", "p", "--method", "magnitude", "--sparsity", "0.8");
        assertTrue(p.accuracy() > plain.accuracy(), "reconstructed " + p.accuracy() + " vs mask only " + plain.accuracy());
        Set<String> allowed = new HashSet<>();
        for (JsonNode l : p.report().get("reconstruction").get("layers")) {
            assertEquals("least-squares", l.get("mode").asText());
            assertTrue(l.get("relErrorAfter").asDouble() < l.get("relErrorMaskOnly").asDouble(), l.toString());
            assertTrue(l.get("percDamp").asDouble() >= 0.01);
            allowed.add(l.get("name").asText());
            allowed.add(l.get("biasCorrected").asText());
        }
        Model dense = ModelFiles.read(Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx"));
        Model out = ModelFiles.read(p.model());
        for (WeightTensor t : dense.tensors()) {
            float[] before = t.data().readAllFloats();
            float[] after = out.tensor(t.name()).orElseThrow().data().readAllFloats();
            if (!allowed.contains(t.name())) {
                assertArrayEquals(before, after, t.name());
            }
        }
        checkedByOnnx(p.model());
    }

    /**
     * A structured cut (30 % l1, compacted) recovers in two steps: BatchNorm re-estimation (about 9 % → 22 %), then
     * least squares of every layer after a removed channel, the classifier (kept whole) included, towards the
     * dense model's outputs (→ 79 % on 128 samples; dense 91 %).
     */
    @Test
    void batchNormReestimationAndReconstructionRescueAStructuredCut() throws Exception {
        // The channel counts as allocated (no rounding to multiples of 8): the cut the recalibration is measured on.
        String[] cut = {"--method", "l1-structured", "--sparsity", "0.3", "--compact", "--round-channels", "1"};
        double plain = prune("fashion-resnet-mini", "c", cut).accuracy();
        List<String> bn = new ArrayList<>(List.of(cut));
        bn.add("--recalibrate-bn");
        Pruned r = prune("fashion-resnet-mini", "bn", bn.toArray(String[]::new));
        assertTrue(r.accuracy() > plain + 0.05, "re-estimated " + r.accuracy() + " vs " + plain);
        assertTrue(r.report().get("reconstruction").get("batchNormsRecalibrated").size() > 0);
        bn.add("--reconstruct");
        Pruned rec = prune("fashion-resnet-mini", "rec", bn.toArray(String[]::new));
        assertTrue(rec.accuracy() > r.accuracy() + 0.3 && rec.accuracy() > 0.7,
                "reconstructed " + rec.accuracy() + " vs re-estimated only " + r.accuracy());
        JsonNode fc = null;
        for (JsonNode l : rec.report().get("reconstruction").get("layers")) {
            if (l.get("name").asText().equals("fc.weight")) {
                fc = l;
            }
        }
        assertTrue(fc != null && fc.get("relErrorAfter").asDouble() < 0.5 * fc.get("relErrorMaskOnly").asDouble(),
                "the classifier, kept whole, is re-solved for the channels it lost: " + fc);
        checkedByOnnx(r.model());
        checkedByOnnx(rec.model());
    }

    /**
     * The same cut at the default rounding (multiples of 8 channels) and 128 calibration samples: the rounding keeps
     * the global 30 % (the 32-channel groups halved, the 16-channel ones whole; rounding each group to its nearest
     * multiple cut them all to 8, 34 %, and reached 70 %), and the classifier, kept whole, has its bias corrected in
     * the compacted file too (that bias fell out of the compacted model and failed its check). Within 10 points of
     * dense (91.07 %): 88 % on all 10,000 test images.
     */
    @Test
    void aStructuredCutAtTheDefaultRoundingComesWithinTenPointsOfDense() throws Exception {
        Pruned p = prune("fashion-resnet-mini", "d8", "--method", "l1-structured", "--sparsity", "0.3", "--compact",
                "--recalibrate-bn", "--reconstruct", "--bias-correction", "--latency-runs", "0");
        assertTrue(p.accuracy() >= 0.8107, "accuracy " + p.accuracy());
        assertEquals(0.3, p.report().get("totals").get("achieved").asDouble(), 0.01);
        JsonNode fc = null;
        for (JsonNode l : p.report().get("reconstruction").get("layers")) {
            if (l.get("name").asText().equals("fc.weight")) {
                fc = l;
            }
        }
        assertTrue(fc != null && fc.has("biasCorrected"), "the classifier's bias is corrected: " + fc);
        assertTrue(p.report().get("compactionCheck").get("passed").asBoolean(), p.report().get("compactionCheck").toString());
        checkedByOnnx(p.model());
    }

    /**
     * PyTorch exports (fixtures/torch/make_fashion.py; the CNN's BatchNorms folded into its Convs by the export).
     * Wanda above magnitude is asserted in WandaCommandTest.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fashion-mlp", "fashion-cnn"})
    void sparseGptBeatsWandaAndMagnitudeOnPyTorchExports(String name) throws Exception {
        Path model = Fixtures.torch(name).resolve("model.onnx");
        double s = prune(model, name, "s", "--method", "sparsegpt", "--sparsity", "0.7").accuracy();
        double w = prune(model, name, "w", "--method", "wanda", "--sparsity", "0.7").accuracy();
        double m = prune(model, name, "m", "--method", "magnitude", "--sparsity", "0.7").accuracy();
        assertTrue(s >= w && s >= m, name + ": sparsegpt " + s + ", wanda " + w + ", magnitude " + m);
        double s24 = prune(model, name, "s24", "--method", "sparsegpt", "--nm", "2:4").accuracy();
        double m24 = prune(model, name, "m24", "--method", "nm", "--nm", "2:4").accuracy();
        assertTrue(s24 >= m24, name + " 2:4: sparsegpt " + s24 + ", magnitude " + m24);
    }

    /** ONNX's own checker (Debian's python3-onnx) accepts the file. */
    static void checkedByOnnx(Path model) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c",
                "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))", model.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
