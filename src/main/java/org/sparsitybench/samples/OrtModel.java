package org.sparsitybench.samples;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import org.sparsitybench.formats.idx.IdxBatch;
import org.sparsitybench.formats.idx.IdxBatchReader;
import org.sparsitybench.formats.idx.IdxDataset;

/** An exported sample in ONNX Runtime: logits for a batch, and accuracy over an IDX test split. */
final class OrtModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /** @param model the serialised ONNX model (not modified) */
    OrtModel(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            session = env.createSession(model, options);
        }
    }

    /**
     * Logits, (N, classes), for one batch.
     *
     * @param input values laid out as {@code shape} (not modified)
     */
    float[] logits(float[] input, long[] shape) throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = session.run(Map.of(Network.INPUT, x))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    /**
     * Top-1 accuracy over the first {@code limit} images of {@code test}, streamed in batches.
     *
     * @param sampleDims the input shape of one sample without the batch dimension, e.g. {1, 28, 28} or {784}
     */
    double accuracy(IdxDataset test, Preprocessing pre, long[] sampleDims, int limit) throws IOException, OrtException {
        int total = Math.min(limit, test.count());
        int hits = 0;
        int seen = 0;
        try (IdxBatchReader r = test.batches(500)) {
            while (r.hasNext() && seen < total) {
                IdxBatch b = r.next();
                int n = Math.min(b.count(), total - seen);
                float[] x = Arrays.copyOf(b.pixels(), n * b.imageSize());
                pre.applyInPlace(x);
                long[] shape = new long[sampleDims.length + 1];
                shape[0] = n;
                System.arraycopy(sampleDims, 0, shape, 1, sampleDims.length);
                float[] logits = logits(x, shape);
                int k = logits.length / n;
                for (int i = 0; i < n; i++) {
                    if (argmax(logits, i * k, k) == b.labels()[i]) {
                        hits++;
                    }
                }
                seen += n;
            }
        }
        return hits / (double) total;
    }

    static int argmax(float[] v, int from, int count) {
        int best = 0;
        for (int j = 1; j < count; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
