package org.sparsitybench.samples;

import org.sparsitybench.eval.ModelCard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.formats.idx.IdxBatch;
import org.sparsitybench.formats.idx.IdxBatchReader;
import org.sparsitybench.formats.idx.IdxDataset;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.testing.Fixtures;

/**
 * The models in {@code sample-models/} are what their cards say: they load, have the layers the samples are
 * about, and reach the card's accuracy on the bundled test data with the card's preprocessing.
 */
class BundledSamplesTest {
    private static final Path SAMPLES = Fixtures.projectDir().resolve("sample-models");
    private static final int IMAGES = 1000;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            fashion-lenet-300-100 | fc1.weight fc2.weight fc3.weight | Gemm:3 Relu:2
            fashion-lenet5        | conv1.weight conv2.weight fc1.weight fc2.weight fc3.weight | BatchNormalization:2 Conv:2 Flatten:1 Gemm:3 MaxPool:2 Relu:4
            fashion-resnet-mini   | stem.conv.weight block1.conv1.weight block1.conv2.weight block2.conv1.weight block2.conv2.weight block3.conv1.weight block3.conv2.weight block3.proj.conv.weight fc.weight | Add:3 BatchNormalization:8 Conv:8 Flatten:1 Gemm:1 GlobalAveragePool:1 MaxPool:1 Relu:7
            digits-mlp            | fc1.weight fc2.weight | Gemm:2 Relu:1
            """)
    void sampleLoadsWithItsPrunableLayersAndOps(String name, String prunable, String ops) throws IOException {
        Path dir = SAMPLES.resolve(name);
        ModelCard card = ModelCard.read(dir.resolve(ModelCard.FILE_NAME));
        assertEquals(name, card.name());
        Model model = new OnnxReader().read(dir.resolve("model.onnx"));
        assertEquals(List.of(prunable.split(" ")), model.prunableTensors().stream().map(WeightTensor::name).toList());
        assertEquals(card.params(), model.totalParams());
        Map<String, Integer> counts = new TreeMap<>();
        for (GraphNode n : model.graph().nodes()) {
            counts.merge(n.opType(), 1, Integer::sum);
        }
        StringBuilder actual = new StringBuilder();
        counts.forEach((op, c) -> actual.append(actual.length() == 0 ? "" : " ").append(op).append(':').append(c));
        assertEquals(ops, actual.toString());
        assertEquals(List.of("input"), model.graph().inputs());
        assertEquals(List.of("logits"), model.graph().outputs());
        assertTrue(Files.size(dir.resolve("model.onnx")) < 10_000_000, "model files stay small");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"fashion-lenet-300-100", "fashion-lenet5", "fashion-resnet-mini", "digits-mlp"})
    void onnxRuntimeReachesTheCardsAccuracyOnTheFirstThousandTestImages(String name) throws Exception {
        Path cardFile = SAMPLES.resolve(name).resolve(ModelCard.FILE_NAME);
        ModelCard card = ModelCard.read(cardFile);
        IdxDataset test = IdxDataset.open(card.datasetPath(cardFile, "test").orElseThrow());
        int n = Math.min(IMAGES, test.count());
        IdxBatch batch;
        try (IdxBatchReader r = test.batches(n)) {
            batch = r.next();
        }
        float[] x = batch.pixels().clone();
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((x[i] * card.scale() - card.mean()[0]) / card.std()[0]);
        }
        long[] shape = card.inputShape().clone();
        shape[0] = n;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int hits = 0;
        try (OrtSession s = env.createSession(SAMPLES.resolve(name).resolve("model.onnx").toString());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = s.run(Map.of(card.input(), input))) {
            float[][] logits = (float[][]) r.get(0).getValue();
            for (int i = 0; i < n; i++) {
                if (argmax(logits[i]) == batch.labels()[i]) {
                    hits++;
                }
            }
        }
        double accuracy = hits / (double) n;
        assertTrue(Math.abs(accuracy - card.accuracy()) <= 0.03,
                name + ": " + accuracy + " on the first " + n + " test images, card says " + card.accuracy());
    }

    @Test
    void cardsDescribeTheirInputAndLabels() throws IOException {
        for (String name : SampleGenerator.names()) {
            ModelCard c = ModelCard.read(SAMPLES.resolve(name).resolve(ModelCard.FILE_NAME));
            boolean cnn = c.inputShape().length == 4;
            assertEquals(cnn ? "NCHW" : "NC", c.layout(), name);
            assertEquals("input", c.input(), name);
            assertEquals(10, c.labels().size(), name);
            assertTrue(c.params() > 0 && c.training().get("epochs").asInt() > 0 && c.training().get("trainSeconds").asDouble() >= 0, name);
            if (name.startsWith("fashion")) {
                assertEquals(1 / 255.0, c.scale());
                assertEquals("T-shirt/top", c.labels().get(0));
                assertEquals("Ankle boot", c.labels().get(9));
                assertArrayEquals(cnn ? new long[] {1, 1, 28, 28} : new long[] {1, 784}, c.inputShape());
            } else {
                assertEquals(0.0625, c.scale());
                assertEquals("0", c.labels().get(0));
                assertArrayEquals(new long[] {1, 64}, c.inputShape());
            }
        }
    }

    @Test
    void bundledFashionTestSplitIsCompleteAndBalanced() throws IOException {
        IdxDataset set = IdxDataset.open(SAMPLES.resolve("data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
        assertEquals(10_000, set.count());
        int[] perClass = new int[10];
        try (IdxBatchReader r = set.batches(2500)) {
            while (r.hasNext()) {
                for (int label : r.next().labels()) {
                    perClass[label]++;
                }
            }
        }
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, perClass);
    }

    @Test
    void bundledDigitsTestSplitHoldsEightByEightImagesOfZeroToSixteen() throws IOException {
        IdxBatch all = IdxDataset.open(SAMPLES.resolve("data/digits/digits-test-images-idx3-ubyte.gz")).readAll();
        assertEquals(450, all.count());
        assertEquals(8, all.rows());
        assertEquals(8, all.cols());
        float max = 0;
        for (float v : all.pixels()) {
            max = Math.max(max, v);
        }
        assertEquals(16f, max);
        assertTrue(Arrays.stream(all.labels()).allMatch(l -> l >= 0 && l <= 9));
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"fashion-lenet-300-100, 12000", "fashion-lenet5, 12000", "digits-mlp, 1347"})
    void cardsNameABundledTrainingSplitDisjointFromTheTestSplit(String name, int count) throws IOException {
        Path cardFile = SAMPLES.resolve(name).resolve(ModelCard.FILE_NAME);
        ModelCard card = ModelCard.read(cardFile);
        IdxDataset train = IdxDataset.open(card.datasetPath(cardFile, "train").orElseThrow());
        assertEquals(count, train.count());
        assertTrue(!card.datasetPath(cardFile, "train").equals(card.datasetPath(cardFile, "test")));
    }

    @Test
    void everyBundledFileIsUnderTenMegabytesAndAttributed() throws IOException {
        try (Stream<Path> files = Files.walk(SAMPLES)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertTrue(Files.size(f) < 10_000_000, f + " is " + Files.size(f) + " bytes");
            }
        }
        assertTrue(Files.readString(SAMPLES.resolve("data/fashion-mnist/ATTRIBUTION.md")).contains("MIT"));
        assertTrue(Files.readString(SAMPLES.resolve("data/digits/ATTRIBUTION.md")).contains("CC BY 4.0"));
        String readme = Files.readString(SAMPLES.resolve("README.md"));
        for (String name : SampleGenerator.names()) {
            assertTrue(readme.contains("`" + name + "`"), "README lists " + name);
        }
        assertTrue(readme.contains("sparsitybench samples regenerate"));
    }
}
