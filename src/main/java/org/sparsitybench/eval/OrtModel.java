package org.sparsitybench.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session on a model file or on the bytes an export would write, fed float32 batches.
 * Sessions and tensors are always closed; one instance is used by one thread at a time.
 */
public final class OrtModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String input;
    private final long createNanos;
    private final String label;
    private final int fixedBatch;

    private OrtModel(OrtSession session, String input, long createNanos, String label, int fixedBatch) {
        this.session = session;
        this.input = input;
        this.createNanos = createNanos;
        this.label = label;
        this.fixedBatch = fixedBatch;
    }

    /** The model file, for error messages ("the model" for a session made from bytes). */
    public String label() {
        return label;
    }

    /**
     * The batch size the model's input declares when it is a fixed number (exported RNN and mobile models often
     * take exactly 1 sample per run); 0 when the batch dimension is symbolic. Feed exactly this many per run.
     */
    public int fixedBatch() {
        return fixedBatch;
    }

    /** {@code batch} unless the model fixes its batch size, then that size. */
    public int batchFor(int batch) {
        return fixedBatch > 0 ? fixedBatch : batch;
    }

    /**
     * @param file    model file (external data is found beside it)
     * @param input   the input to feed, or null for the first graph input
     * @param threads intra-op threads (0 = ONNX Runtime's default, all cores)
     */
    public static OrtModel open(Path file, String input, int threads) throws IOException {
        return create(null, file, input, threads);
    }

    /** As {@link #open}, from serialized model bytes (models without external data): no temporary file. */
    public static OrtModel fromBytes(byte[] model, String input, int threads) throws IOException {
        return create(model, null, input, threads);
    }

    private static OrtModel create(byte[] bytes, Path file, String input, int threads) throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long t0 = System.nanoTime();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                opts.setIntraOpNumThreads(threads);
            }
            opts.setInterOpNumThreads(1);
            // ONNX Runtime's pool threads spin between runs by default, burning the cores the window's FX thread
            // needs (the FX-stall diagnostic showed 250 ms stalls during sweeps on 2 cores); idle threads sleep.
            opts.addConfigEntry("session.intra_op.allow_spinning", "0");
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            OrtSession s = bytes != null ? env.createSession(bytes, opts) : env.createSession(file.toString(), opts);
            long created = System.nanoTime() - t0;
            String name = input;
            if (name == null) {
                name = s.getInputNames().iterator().next();
            } else if (!s.getInputNames().contains(name)) {
                String names = String.join(", ", s.getInputNames());
                s.close();
                throw new IllegalArgumentException("model has no input '" + input + "' (inputs: " + names + ")");
            }
            long[] declared = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(name).getInfo()).getShape();
            int fixed = declared.length > 0 && declared[0] > 0 && declared[0] <= Integer.MAX_VALUE ? (int) declared[0] : 0;
            return new OrtModel(s, name, created, file != null ? file.toString() : "the model", fixed);
        } catch (OrtException e) {
            throw new IOException((file != null ? file + ": " : "") + "ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Nanoseconds the session took to create. */
    public long createNanos() {
        return createNanos;
    }

    /**
     * Runs one batch and returns the first output, flattened.
     *
     * @param values batch values (not modified), laid out as {@code shape}
     */
    public float[] run(float[] values, long[] shape) throws OrtException {
        Lock shared = TIMING.readLock();
        shared.lock();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
             OrtSession.Result r = session.run(Map.of(input, x))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] result = new float[out.remaining()];
            out.get(result);
            return result;
        } finally {
            shared.unlock();
        }
    }

    /**
     * Held shared by every {@link #run} and exclusively by a latency measurement ({@link #exclusiveTiming}), so
     * timed runs never share the cores with this process's other inferences: a sweep measuring latency while the
     * window evaluated the current configuration drew 2× spikes into a flat latency curve. Fair, so a waiting
     * measurement gets in after the batches already running.
     */
    private static final ReentrantReadWriteLock TIMING = new ReentrantReadWriteLock(true);

    /**
     * The lock a latency measurement holds around its warm-up and timed runs; while it is held, other threads'
     * {@link #run} calls wait. The holder's own runs go through (a write lock admits its holder's reads). Never
     * take it while inside {@link #run}.
     */
    static Lock exclusiveTiming() {
        return TIMING.writeLock();
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
