package org.sparsitybench.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.ParameterProbe;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;

/**
 * One ONNX Runtime session that runs the calibration samples through a model whose parameters change between
 * runs: the parameters are graph inputs ({@link ParameterProbe}) fed with their current values, and any
 * intermediate value can be read back. The first {@code samples} samples of the data are read and preprocessed
 * once. Close it to delete the probe file.
 */
final class CalibrationProbe implements AutoCloseable {
    /** Receives one batch of one captured value (array and shape are the receiver's to keep). */
    interface Sink {
        void accept(float[] values, long[] shape) throws Exception;
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Path file;
    private final OrtSession session;
    private final String input;
    private final Set<String> graphInputs;
    private final List<float[]> batches = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();

    private CalibrationProbe(Path file, OrtSession session, String input, Set<String> graphInputs) {
        this.file = file;
        this.session = session;
        this.input = input;
        this.graphInputs = graphInputs;
    }

    /**
     * @param parameters initializers fed on every run (see {@link ParameterProbe})
     * @param values     intermediate values that may be captured
     */
    static CalibrationProbe open(Model model, ModelCard card, LabeledData data, int samples,
                                 Collection<String> parameters, Collection<String> values) throws IOException {
        Path dir = model.file().toAbsolutePath().getParent();
        Path probe = AtomicFiles.createProcessTempFile(Files.isWritable(dir) ? dir
                : Path.of(System.getProperty("java.io.tmpdir")), TemporaryModels.TEMP_PREFIX, ".onnx");
        Files.delete(probe);
        Set<String> graphInputs = new LinkedHashSet<>(model.graph().inputs());
        List<String> exposed = values.stream().filter(v -> !graphInputs.contains(v)).toList();
        CalibrationProbe p = null;
        try {
            ParameterProbe.write(model, parameters, exposed, probe);
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setInterOpNumThreads(1);
            opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            OrtSession s = OrtEnvironment.getEnvironment().createSession(probe.toString(), opts);
            opts.close();
            p = new CalibrationProbe(probe, s, card.input(), graphInputs);
            p.load(card, data, samples);
            return p;
        } catch (OrtException e) {
            Files.deleteIfExists(probe);
            throw new IOException(model.file() + ": ONNX Runtime cannot load the calibration probe: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.close();
            } else {
                Files.deleteIfExists(probe);
            }
            throw e;
        }
    }

    private void load(ModelCard card, LabeledData data, int samples) throws IOException, OrtException {
        // A model whose input fixes its batch size (often 1) is fed exactly that many samples per run; a last,
        // shorter batch is left out rather than padded, so no padding reaches the statistics.
        long[] declared = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
        int fixed = declared.length > 0 && declared[0] > 0 ? (int) declared[0] : 0;
        int seen = 0;
        try (LabeledData.Cursor cursor = data.batches(fixed > 0 ? fixed : 64)) {
            for (LabeledData.Batch b = cursor.next(); b != null && seen < samples; b = cursor.next()) {
                int count = Math.min(b.count(), samples - seen);
                if (fixed > 0 && count < fixed) {
                    break;
                }
                float[] x = Arrays.copyOf(b.values(), count * card.sampleSize());
                card.preprocessInPlace(x, count);
                long[] shape = card.inputShape().clone();
                shape[0] = count;
                batches.add(x);
                shapes.add(shape);
                seen += count;
            }
        }
        if (seen == 0) {
            throw new IllegalArgumentException(data.source() + ": no calibration samples");
        }
    }

    /** Samples actually read (fewer than asked when the data is smaller). */
    int samples() {
        int n = 0;
        for (long[] s : shapes) {
            n += (int) s[0];
        }
        return n;
    }

    /**
     * Runs every calibration batch with {@code parameters} (name → current float values and shape; not
     * modified) and hands each batch of {@code value} to {@code sink}.
     */
    void capture(Map<String, float[]> parameters, Map<String, long[]> parameterShapes, String value, Sink sink,
                 CancellationToken cancel) throws Exception {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, float[]> e : parameters.entrySet()) {
                feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()),
                        parameterShapes.get(e.getKey())));
            }
            for (int i = 0; i < batches.size(); i++) {
                cancel.throwIfCancelled();
                float[] x = batches.get(i);
                if (graphInputs.contains(value)) {
                    sink.accept(x.clone(), shapes.get(i).clone());
                    continue;
                }
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shapes.get(i))) {
                    feed.put(input, in);
                    try (OrtSession.Result r = session.run(feed, Set.of(value))) {
                        OnnxTensor t = (OnnxTensor) r.get(value).orElseThrow();
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] out = new float[fb.remaining()];
                        fb.get(out);
                        sink.accept(out, ((TensorInfo) t.getInfo()).getShape());
                    } finally {
                        feed.remove(input);
                    }
                }
            }
        } finally {
            for (OnnxTensor t : feed.values()) {
                t.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
