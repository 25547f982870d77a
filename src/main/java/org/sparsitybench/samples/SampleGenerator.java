package org.sparsitybench.samples;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.train.ImageSet;
import org.sparsitybench.train.Network;
import org.sparsitybench.train.Preprocessing;
import org.sparsitybench.train.Trainer;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.idx.IdxBatch;
import org.sparsitybench.formats.idx.IdxBatchReader;
import org.sparsitybench.formats.idx.IdxDataset;
import org.sparsitybench.formats.idx.IdxWriter;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Regenerates the bundled sample models: trains each from its seed on the full training split, exports it to
 * ONNX, checks that ONNX Runtime computes what the training code computes, measures its accuracy with ONNX
 * Runtime on the whole bundled test split, and writes {@code NAME/model.onnx}, {@code NAME/model-card.json}, the
 * test data under {@code data/} and {@code README.md}.
 */
public final class SampleGenerator {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the four IDX files. */
    public static final Path DEFAULT_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    /** scikit-learn's copy of the 8×8 digits (Debian {@code python3-sklearn}). */
    public static final Path DEFAULT_DIGITS_CSV =
            Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");
    /** Largest |logit| difference allowed between ONNX Runtime and the training code's forward pass. */
    static final double MAX_ORT_DIFFERENCE = 1e-4;
    /** Seed of the digits train/test split; independent of the models' seeds so the test split never moves. */
    static final long DIGITS_SPLIT_SEED = 2024L;
    private static final int CHECK_IMAGES = 256;
    private static final String MODEL_FILE = "model.onnx";

    private final Path out;
    private final Path fashionMnist;
    private final Path digitsCsv;
    private final double epochsScale;
    private final Consumer<String> progress;
    private final Map<SampleData, Splits> loaded = new EnumMap<>(SampleData.class);

    /**
     * @param out          the sample-models folder (created if missing)
     * @param fashionMnist folder with Fashion-MNIST's {@code train-*} and {@code t10k-*} IDX files
     * @param digitsCsv    scikit-learn's {@code digits.csv.gz}
     * @param epochsScale  multiplies every sample's epoch count (at least 1 epoch remains)
     * @param progress     receives one line per epoch and per finished model
     */
    public SampleGenerator(Path out, Path fashionMnist, Path digitsCsv, double epochsScale, Consumer<String> progress) {
        if (!(epochsScale > 0) || Double.isInfinite(epochsScale)) {
            throw new IllegalArgumentException("epochs scale must be a positive number, got " + epochsScale);
        }
        this.out = out;
        this.fashionMnist = fashionMnist;
        this.digitsCsv = digitsCsv;
        this.epochsScale = epochsScale;
        this.progress = progress;
    }

    /** Names of all samples, in generation order. */
    public static List<String> names() {
        return SampleSpec.ALL.stream().map(SampleSpec::name).toList();
    }

    /**
     * Regenerates the named samples (all when {@code only} is empty), then rewrites README.md from every card
     * present.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public List<ModelCard> regenerate(Collection<String> only) throws IOException {
        Set<String> wanted = new LinkedHashSet<>(only);
        wanted.removeAll(names());
        if (!wanted.isEmpty()) {
            throw new IllegalArgumentException("unknown sample " + String.join(", ", wanted) + "; choose from "
                    + String.join(", ", names()));
        }
        List<ModelCard> cards = new ArrayList<>();
        for (SampleSpec spec : SampleSpec.ALL) {
            if (only.isEmpty() || only.contains(spec.name())) {
                cards.add(generate(spec));
            }
        }
        SamplesReadme.write(out);
        return cards;
    }

    private ModelCard generate(SampleSpec spec) throws IOException {
        Splits data = data(spec.data());
        Preprocessing pre = Preprocessing.fit(data.train.values(), spec.data().scale);
        ImageSet train = data.train.normalised(pre);
        Network net = spec.network().apply(new Random(spec.seed()));
        int epochs = Math.max(1, (int) Math.round(spec.epochs() * epochsScale));
        progress.accept(String.format(Locale.ROOT, "%s: training on %,d images, %d epoch%s of batch %d", spec.name(),
                train.count(), epochs, epochs == 1 ? "" : "s", spec.batch()));
        long t0 = System.nanoTime();
        Trainer.train(net, train, new Trainer.Config(epochs, spec.batch(), spec.lr(), spec.seed()),
                e -> progress.accept(String.format(Locale.ROOT, "%s: epoch %d/%d  loss %.4f  train accuracy %.2f%%"
                        + "  %.1f s", spec.name(), e.epoch(), e.epochs(), e.loss(), 100 * e.accuracy(), e.seconds())));
        double seconds = Math.round((System.nanoTime() - t0) / 1e7) / 100.0;

        OnnxModelBuilder onnx = net.toOnnx(spec.name());
        ModelProto proto = onnx.build();
        long[] shape = net.inputShape(1);
        long[] sampleDims = Arrays.copyOfRange(shape, 1, shape.length);
        ModelCard card = new ModelCard(spec.name(), Network.INPUT, shape, shape.length == 4 ? "NCHW" : "NC",
                spec.data().scale, new double[] {pre.mean()}, new double[] {pre.std()}, spec.data().labels,
                CARD_JSON.valueToTree(new CardDataset(spec.data().displayName, spec.data().testPathFromModel(),
                        spec.data().trainPathFromModel(), spec.data().description)),
                null, null, spec.architecture(),
                CARD_JSON.valueToTree(new CardTraining(epochs, spec.batch(), "Adam", spec.lr(),
                        "cosine decay to 0 over all steps", spec.seed(), seconds, machine(),
                        LocalDate.now(ZoneOffset.UTC).toString())),
                spec.teaches());
        double accuracy;
        try (OrtModel ort = OrtModel.fromBytes(proto.toByteArray(), Network.INPUT, 0)) {
            double diff = maxDifference(net, ort, data.test, pre, sampleDims);
            if (!(diff <= MAX_ORT_DIFFERENCE)) {
                throw new IllegalStateException(spec.name() + ": ONNX Runtime's logits differ from the training "
                        + "code's by " + diff + " (allowed " + MAX_ORT_DIFFERENCE + "); the export is wrong, not written");
            }
            accuracy = Evaluator.evaluate(ort, card, Datasets.open(data.test.images()), 500, Integer.MAX_VALUE,
                    ProgressListener.NONE, CancellationToken.NONE).accuracy();
            progress.accept(String.format(Locale.ROOT, "%s: ONNX Runtime agrees with the training code within %.1e",
                    spec.name(), diff));
        } catch (OrtException e) {
            throw new IOException(spec.name() + ": ONNX Runtime cannot run the exported model: " + e.getMessage(), e);
        }

        Path dir = out.resolve(spec.name());
        Files.createDirectories(dir);
        Path model = dir.resolve(MODEL_FILE);
        onnx.save(model);
        card = new ModelCard(card.name(), card.input(), card.inputShape(), card.layout(), card.scale(), card.mean(),
                card.std(), card.labels(), card.dataset(), Math.round(accuracy * 10_000) / 10_000.0,
                parameterCount(proto), card.architecture(), card.training(), card.teaches());
        card.write(dir.resolve(ModelCard.FILE_NAME));
        progress.accept(String.format(Locale.ROOT, "%s: accuracy %.2f%% (ONNX Runtime, %,d test images), %,d "
                        + "parameters, trained in %.1f s, %s %,d bytes", spec.name(), 100 * accuracy,
                data.test.count(), card.params(), seconds, MODEL_FILE, Files.size(model)));
        return card;
    }

    private static final ObjectMapper CARD_JSON = new ObjectMapper();

    /** The card's {@code dataset} section: test and training images relative to the card's folder. */
    @JsonPropertyOrder({"name", "test", "train", "description"})
    record CardDataset(String name, String test, String train, String description) {
    }

    /** The card's {@code training} section: how the sample was trained, and where. */
    @JsonPropertyOrder({"epochs", "batch", "optimizer", "lr", "schedule", "seed", "trainSeconds", "trainedOn", "date"})
    record CardTraining(int epochs, int batch, String optimizer, double lr, String schedule, long seed,
                        double trainSeconds, String trainedOn, String date) {
    }

    /** Largest |logit| difference between the training code and ONNX Runtime on the first test images. */
    private static double maxDifference(Network net, OrtModel ort, IdxDataset test, Preprocessing pre,
                                        long[] sampleDims) throws IOException, OrtException {
        IdxBatch b;
        try (IdxBatchReader r = test.batches(CHECK_IMAGES)) {
            b = r.next();
        }
        float[] x = b.pixels().clone();
        pre.applyInPlace(x);
        long[] shape = new long[sampleDims.length + 1];
        shape[0] = b.count();
        System.arraycopy(sampleDims, 0, shape, 1, sampleDims.length);
        float[] ours = net.forward(x, b.count(), false).data;
        float[] theirs = ort.run(x, shape);
        if (ours.length != theirs.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < ours.length; i++) {
            max = Math.max(max, Math.abs(ours[i] - theirs[i]));
        }
        return max;
    }

    private static long parameterCount(ModelProto proto) {
        long total = 0;
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            long n = 1;
            for (long d : t.getDimsList()) {
                n *= d;
            }
            total += n;
        }
        return total;
    }

    /** In-memory training images and the bundled test split (streamed from its IDX files). */
    private record Splits(ImageSet train, IdxDataset test) {
    }

    private Splits data(SampleData which) throws IOException {
        Splits s = loaded.get(which);
        if (s == null) {
            s = which == SampleData.FASHION_MNIST ? fashion() : digits();
            loaded.put(which, s);
        }
        return s;
    }

    /** Copies the test split beside the models with its attribution; reads the training split from the source. */
    private Splits fashion() throws IOException {
        Path trainImages = fashionMnist.resolve("train-images-idx3-ubyte.gz");
        if (!Files.isRegularFile(trainImages)) {
            throw new NoSuchFileException(trainImages.toString(), null, "Fashion-MNIST not found: install the "
                    + "Debian package dataset-fashion-mnist or pass the folder with --fashion-mnist");
        }
        Path dir = out.resolve("data").resolve(SampleData.FASHION_MNIST.folder);
        for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Path src = fashionMnist.resolve(f);
            AtomicFiles.writeStream(dir.resolve(f), os -> Files.copy(src, os));
        }
        writeText(dir.resolve("ATTRIBUTION.md"), DataAttribution.FASHION_MNIST);
        IdxBatch all = IdxDataset.open(trainImages).readAll();
        ImageSet train = new ImageSet(all.pixels(), all.labels(), all.count(), all.rows(), all.cols());
        writeIdx(dir.resolve(SampleData.FASHION_MNIST.trainImages), train.select(trainingSubset(train.count())));
        return new Splits(train, IdxDataset.open(dir.resolve(SampleData.FASHION_MNIST.testImages)));
    }

    /** Splits the digits with a fixed seed: a quarter is written beside the models as IDX, the rest trains. */
    private Splits digits() throws IOException {
        if (!Files.isRegularFile(digitsCsv)) {
            throw new NoSuchFileException(digitsCsv.toString(), null, "the 8×8 digits were not found: install the "
                    + "Debian package python3-sklearn or pass the file with --digits");
        }
        ImageSet all = DigitsCsv.read(digitsCsv);
        int[] order = new int[all.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Trainer.shuffle(order, new Random(DIGITS_SPLIT_SEED));
        int testCount = (all.count() + 3) / 4;
        ImageSet test = all.select(Arrays.copyOfRange(order, 0, testCount));
        ImageSet train = all.select(Arrays.copyOfRange(order, testCount, order.length));
        Path dir = out.resolve("data").resolve(SampleData.DIGITS.folder);
        Path images = dir.resolve(SampleData.DIGITS.testImages);
        writeIdx(images, test);
        writeIdx(dir.resolve(SampleData.DIGITS.trainImages), train);
        writeText(dir.resolve("ATTRIBUTION.md"), DataAttribution.DIGITS);
        return new Splits(train, IdxDataset.open(images));
    }

    /** Seed of the bundled Fashion-MNIST training subset. */
    static final long TRAIN_SUBSET_SEED = 2025L;
    /** Images in the bundled Fashion-MNIST training subset (about 5 MB gzipped). */
    static final int TRAIN_SUBSET = 12_000;

    /** The first {@link #TRAIN_SUBSET} positions of a {@code Random(TRAIN_SUBSET_SEED)} shuffle of {@code count}. */
    static int[] trainingSubset(int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Trainer.shuffle(order, new Random(TRAIN_SUBSET_SEED));
        return Arrays.copyOf(order, Math.min(TRAIN_SUBSET, count));
    }

    /**
     * Writes {@code set} (raw byte-valued pixels) as an IDX pair: {@code images} and the labels file beside it
     * ({@code -images-idx3-} becomes {@code -labels-idx1-}).
     */
    static void writeIdx(Path images, ImageSet set) throws IOException {
        byte[] pixels = new byte[set.values().length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) set.values()[i];
        }
        byte[] labels = new byte[set.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) set.labels()[i];
        }
        IdxWriter.writeImages(images, pixels, set.count(), set.rows(), set.cols());
        IdxWriter.writeLabels(images.resolveSibling(images.getFileName().toString()
                .replace("-images-idx3-", "-labels-idx1-")), labels);
    }

    /**
     * Writes only the bundled data (test splits, training subsets, attributions) without training: for a
     * checkout whose models are current but whose data folder lacks the training subsets.
     */
    public void writeData() throws IOException {
        fashion();
        digits();
        SamplesReadme.write(out);
    }

    static void writeText(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeStream(file, os -> os.write(bytes));
    }

    /** CPU, cores, OS, JVM and ND4J version: enough to tell whether a rerun may differ in the last bits. */
    static String machine() {
        String cpu = System.getProperty("os.arch");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the architecture name will do.
        }
        String nd4j = "?";
        try (InputStream in = org.nd4j.linalg.factory.Nd4j.class
                .getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                nd4j = p.getProperty("version", "?");
            }
        } catch (IOException e) {
            // Version unknown: say so.
        }
        return String.format(Locale.ROOT, "%s, %d cores, %s %s, Java %s, ND4J %s (OpenBLAS)", cpu,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"), nd4j);
    }
}
