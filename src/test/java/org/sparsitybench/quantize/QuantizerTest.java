package org.sparsitybench.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.eval.CompressedSize;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/**
 * Quantization of the bundled samples and the PyTorch fixtures, run in ONNX Runtime: accuracy kept, integer
 * kernels used, ONNX's checker satisfied, pruned zeros kept bit for bit, and the size goals met. Calibration
 * uses the bundled training subsets (the data a user would pass as validation); accuracy is measured on the
 * bundled test splits.
 */
class QuantizerTest {
    private static final Path TRAIN = Fixtures.projectDir().resolve(
            "sample-models/data/fashion-mnist/train-12k-images-idx3-ubyte.gz");
    private static final int TEST_SAMPLES = 2000;

    @TempDir
    Path dir;

    private static Path sample(String name) {
        return Fixtures.projectDir().resolve("sample-models").resolve(name).resolve("model.onnx");
    }

    private static Path fashionTest() {
        return Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
    }

    private static double accuracy(OrtModel m, ModelCard card, LabeledData data, int limit) throws Exception {
        return Evaluator.evaluate(m, card, data, 256, limit, ProgressListener.NONE, CancellationToken.NONE).accuracy();
    }

    private static double accuracy(Path model, ModelCard card, LabeledData data) throws Exception {
        try (OrtModel m = OrtModel.open(model, card.input(), 1)) {
            return accuracy(m, card, data, TEST_SAMPLES);
        }
    }

    private static double accuracy(byte[] model, ModelCard card, LabeledData data) throws Exception {
        try (OrtModel m = OrtModel.fromBytes(model, card.input(), 1)) {
            return accuracy(m, card, data, TEST_SAMPLES);
        }
    }

    private static Quantizer.Outcome quantize(Model m, ModelCard card, LabeledData cal, QuantizationConfig cfg)
            throws Exception {
        return Quantizer.quantize(m, card, cal, cfg, ProgressListener.NONE, CancellationToken.NONE);
    }

    /** Op types of ONNX Runtime's optimised graph of {@code model} (all optimisations, as sessions run it). */
    static Set<String> optimizedOps(Path model, Path dump) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizedModelFilePath(dump.toString());
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toString(), o)) {
                assertTrue(s.getNumInputs() > 0);
            }
        }
        Set<String> ops = new HashSet<>();
        for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(dump)).getGraph().getNodeList()) {
            ops.add(n.getOpType());
        }
        return ops;
    }

    /** Runs ONNX's own checker (Debian's python3-onnx) with full shape inference on {@code model}. */
    static void onnxChecker(Path model) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c",
                "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')",
                model.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.strip().endsWith("ok"), out);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            fashion-lenet5,        QLinearConv
            fashion-resnet-mini,   QLinearConv
            fashion-lenet-300-100, QGemm
            """)
    void staticInt8KeepsTestAccuracyWithinHalfAPointAndRunsIntegerKernels(String name, String integerOp)
            throws Exception {
        Model m = ModelFiles.read(sample(name));
        ModelCard card = ModelCard.forModel(sample(name), null);
        Quantizer.Outcome o = quantize(m, card, Datasets.open(TRAIN), QuantizationConfig.staticInt8().withCalibration(128));
        Path out = dir.resolve(name + "-int8.onnx");
        Quantizer.write(o, sample(name), out);
        LabeledData test = Datasets.open(fashionTest());
        double before = accuracy(sample(name), card, test);
        double after = accuracy(out, card, test);
        assertTrue(Math.abs(before - after) <= 0.005, name + ": float " + before + ", int8 " + after);
        onnxChecker(out);
        Set<String> ops = optimizedOps(out, dir.resolve(name + "-optimized.onnx"));
        assertTrue(ops.contains(integerOp), name + ": ONNX Runtime's optimised graph has " + ops);
        assertTrue(o.result().layers().stream().allMatch(l -> l.bits() == 8), o.result().layers().toString());
    }

    /** digits-mlp calibrated on its bundled training split, measured on its whole test split. */
    @Test
    void staticInt8OnDigitsKeepsTestAccuracyWithinHalfAPoint() throws Exception {
        Path model = sample("digits-mlp");
        Model m = ModelFiles.read(model);
        ModelCard card = ModelCard.forModel(model, null);
        Path digits = Fixtures.projectDir().resolve("sample-models/data/digits");
        Quantizer.Outcome o = quantize(m, card, Datasets.open(digits.resolve("digits-train-images-idx3-ubyte.gz")),
                QuantizationConfig.staticInt8());
        LabeledData test = Datasets.open(digits.resolve("digits-test-images-idx3-ubyte.gz"));
        double before = accuracy(model, card, test);
        double after = accuracy(o.bytes(), card, test);
        assertTrue(Math.abs(before - after) <= 0.005, "float " + before + ", int8 " + after);
    }

    /**
     * The PyTorch fixtures have random weights and no labels: on 2,000 random inputs the INT8 classifiers (cnn,
     * cnn_bn, mlp: 4–5 classes) must pick the float model's class for all but 0.5 % (calibrated on another 256
     * random inputs), and the RMS output error stay within 2 % of
     * the float outputs' standard deviation. matmul is a 12-output linear
     * map, not a classifier: near-ties among its random outputs flip under any 8-bit input (about 1 %), so it
     * is held to the output bound alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cnn", "cnn_bn", "mlp", "matmul"})
    void staticInt8OnPyTorchExportsAgreesWithFloat(String name) throws Exception {
        Path model = Fixtures.torch(name + ".onnx");
        Model m = ModelFiles.read(model);
        boolean image = name.startsWith("cnn");
        long[] shape = image ? new long[] {1, 1, 8, 8} : new long[] {1, 16};
        Path cardFile = dir.resolve(name + "-card.json");
        Files.writeString(cardFile, "{\"input\": \"input\", \"inputShape\": " + java.util.Arrays.toString(shape)
                + ", \"layout\": \"" + (image ? "NCHW" : "NC") + "\", \"scale\": 1, \"mean\": [0], \"std\": [1]}");
        ModelCard card = ModelCard.read(cardFile);
        Quantizer.Outcome o = quantize(m, card, Random.of(shape, 256, 1), QuantizationConfig.staticInt8());
        Path out = dir.resolve(name + "-int8.onnx");
        Quantizer.write(o, model, out);
        onnxChecker(out);
        int n = 2000;
        int size = (int) (shape.length == 4 ? 64 : 16);
        float[] x = Random.values(n * size, 2);
        long[] batch = shape.clone();
        batch[0] = n;
        float[] a;
        float[] b;
        try (OrtModel f = OrtModel.open(model, "input", 1); OrtModel q = OrtModel.open(out, "input", 1)) {
            a = f.run(x, batch);
            b = q.run(x, batch);
        }
        int classes = a.length / n;
        int agree = 0;
        for (int s = 0; s < n; s++) {
            agree += argmax(a, s * classes, classes) == argmax(b, s * classes, classes) ? 1 : 0;
        }
        if (!name.equals("matmul")) {
            assertTrue(agree >= 0.995 * n, name + ": INT8 agrees with float on " + agree + " of " + n);
        }
        double sum = 0;
        double sq = 0;
        double err = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i];
            sq += (double) a[i] * a[i];
            err += (double) (a[i] - b[i]) * (a[i] - b[i]);
        }
        double sd = Math.sqrt(sq / a.length - (sum / a.length) * (sum / a.length));
        double rms = Math.sqrt(err / a.length);
        assertTrue(rms <= 0.02 * sd, name + ": RMS output error " + rms + " against an output SD of " + sd);
        Set<String> ops = optimizedOps(out, dir.resolve(name + "-optimized.onnx"));
        assertTrue(ops.contains("QLinearConv") || ops.contains("QGemm") || ops.contains("QLinearMatMul")
                || ops.contains("MatMulIntegerToFloat") || ops.contains("MatMulInteger"), name + ": " + ops);
    }

    private static int argmax(float[] v, int off, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (v[off + c] > v[off + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Zeroes the smaller half of every prunable weight (and all of one output channel) and writes the model. */
    private Path halfPruned(String name) throws IOException {
        Model m = ModelFiles.read(sample(name));
        Map<String, TensorUpdate> updates = new HashMap<>();
        for (WeightTensor t : m.prunableTensors()) {
            float[] w = t.data().readAllFloats();
            float[] abs = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                abs[i] = Math.abs(w[i]);
            }
            java.util.Arrays.sort(abs);
            float median = abs[abs.length / 2];
            long per = t.elementCount() / t.shape()[0];
            for (int i = 0; i < w.length; i++) {
                if (Math.abs(w[i]) < median || (t.op().equals("Conv") && i < per)) {
                    w[i] = 0f;
                }
            }
            updates.put(t.name(), TensorUpdate.of(t, w));
        }
        Path out = dir.resolve(name + "-pruned.onnx");
        new OnnxWriter().write(m, updates, Map.of(), out);
        Files.copy(sample(name).resolveSibling(ModelCard.FILE_NAME), dir.resolve(ModelCard.FILE_NAME),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            fashion-lenet5,        STATIC,  8, 32
            fashion-lenet5,        WEIGHTS, 8, 32
            fashion-lenet5,        WEIGHTS, 4, 32
            fashion-lenet-300-100, STATIC,  8, 32
            fashion-lenet-300-100, WEIGHTS, 4, 32
            fashion-lenet-300-100, WEIGHTS, 4, 64
            """)
    void everyPrunedWeightIsZeroInTheQuantizedFile(String name, QuantMode mode, int bits, int block) throws Exception {
        Path pruned = halfPruned(name);
        Model m = ModelFiles.read(pruned);
        ModelCard card = ModelCard.forModel(pruned, null);
        QuantizationConfig cfg = new QuantizationConfig(mode, Precision.ofBits(bits), block, 64, RangeMethod.MINMAX,
                0.9999, Map.of(), Set.of());
        Quantizer.Outcome o = quantize(m, card, Datasets.open(TRAIN), cfg);
        Path out = dir.resolve("q.onnx");
        Quantizer.write(o, pruned, out);
        ModelProto written = ModelProto.parseFrom(Files.readAllBytes(out));
        Map<String, TensorProto> inits = new HashMap<>();
        written.getGraph().getInitializerList().forEach(t -> inits.put(t.getName(), t));
        int checked = 0;
        for (WeightTensor t : m.prunableTensors()) {
            TensorProto q = inits.get(t.name() + "_quantized");
            assertTrue(q != null, t.name() + " has no quantized initializer");
            float[] w = t.data().readAllFloats();
            byte[] raw = q.getRawData().toByteArray();
            long zeros = 0;
            for (int i = 0; i < w.length; i++) {
                int v = bits == 8 ? raw[i] : (i % 2 == 0 ? raw[i / 2] << 28 >> 28 : raw[i / 2] << 24 >> 28);
                if (w[i] == 0f) {
                    zeros++;
                    assertEquals(0, v, t.name() + "[" + i + "] was pruned");
                }
            }
            assertEquals(bits == 8 ? TensorProto.DataType.INT8_VALUE : 22, q.getDataType());
            QdqRewriter.LayerReport r = o.result().layers().stream().filter(l -> l.name().equals(t.name()))
                    .findFirst().orElseThrow();
            assertEquals(zeros, r.zerosBefore());
            assertTrue(r.zerosAfter() >= zeros);
            checked++;
        }
        assertEquals(m.prunableTensors().size(), checked);
        assertTrue(accuracy(out, card, Datasets.open(fashionTest())) > 0.5, "the quantized pruned model still works");
    }

    @Test
    void weightOnlyInt4OnLenet300KeepsAccuracyWithinOneAndAHalfPointsAtAFifthOfTheFile() throws Exception {
        Path model = sample("fashion-lenet-300-100");
        Model m = ModelFiles.read(model);
        ModelCard card = ModelCard.forModel(model, null);
        Quantizer.Outcome o = quantize(m, card, null, QuantizationConfig.weightsOnly(Precision.INT4, 32));
        Path out = dir.resolve("int4.onnx");
        Quantizer.write(o, model, out);
        assertTrue(Files.size(out) <= 0.2 * Files.size(model), Files.size(out) + " vs " + Files.size(model));
        LabeledData test = Datasets.open(fashionTest());
        double before = accuracy(model, card, test);
        double after = accuracy(out, card, test);
        assertTrue(before - after <= 0.015, "float " + before + ", int4 " + after);
        ModelProto p = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(21, p.getOpsetImport(0).getVersion());
        long blocked = p.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("DequantizeLinear"))
                .filter(n -> n.getAttributeList().stream().anyMatch(a -> a.getName().equals("block_size") && a.getI() == 32))
                .count();
        assertEquals(3, blocked, "each Gemm weight dequantized in blocks of 32");
    }

    @Test
    void lenet300PrunedNinetyPercentThenInt8CompressesFifteenfoldAndKeepsThePrunedAccuracy() throws Exception {
        Path model = sample("fashion-lenet-300-100");
        Model dense = ModelFiles.read(model);
        PruningResult r = new PruningEngine(dense).run(new PruningConfig(new GlobalSettings(0.9, "magnitude",
                Allocation.GLOBAL, null, 0, null), Map.of()), ProgressListener.NONE, CancellationToken.NONE);
        Map<String, TensorUpdate> updates = new HashMap<>();
        r.prunedValues(dense).forEach((k, v) -> updates.put(k, new TensorUpdate(dense.tensor(k).orElseThrow().shape(), v)));
        Path pruned = dir.resolve("pruned.onnx");
        new OnnxWriter().write(dense, updates, Map.of(), pruned);
        Files.copy(model.resolveSibling(ModelCard.FILE_NAME), dir.resolve(ModelCard.FILE_NAME));
        ModelCard card = ModelCard.forModel(pruned, null);
        Quantizer.Outcome o = quantize(ModelFiles.read(pruned), card, Datasets.open(TRAIN),
                QuantizationConfig.staticInt8().withCalibration(128));
        Path out = dir.resolve("pruned-int8.onnx");
        Quantizer.write(o, pruned, out);
        long denseCompressed = CompressedSize.exact(model);
        long quantCompressed = CompressedSize.exact(out);
        assertTrue(quantCompressed * 15 <= denseCompressed, quantCompressed + " vs dense " + denseCompressed);
        LabeledData test = Datasets.open(fashionTest());
        double before = accuracy(pruned, card, test);
        double after = accuracy(out, card, test);
        assertTrue(Math.abs(before - after) <= 0.01, "pruned float " + before + ", pruned int8 " + after);
    }

    /** Standard-normal inputs of a given sample shape, label 0. */
    record Random(long[] shape, int count, long seed) implements LabeledData {
        static Random of(long[] modelShape, int count, long seed) {
            return new Random(java.util.Arrays.copyOfRange(modelShape, 1, modelShape.length), count, seed);
        }

        static float[] values(int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) r.nextGaussian();
            }
            return v;
        }

        @Override
        public Path source() {
            return Path.of("random");
        }

        @Override
        public long[] sampleShape() {
            return shape;
        }

        @Override
        public Cursor batches(int batchSize) {
            float[] all = values(count * sampleSize(), seed);
            return new Cursor() {
                int at;

                @Override
                public Batch next() {
                    if (at >= count) {
                        return null;
                    }
                    int n = Math.min(batchSize, count - at);
                    float[] v = java.util.Arrays.copyOfRange(all, at * sampleSize(), (at + n) * sampleSize());
                    Batch b = new Batch(v, new int[n], at);
                    at += n;
                    return b;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
