package org.sparsitybench.eval;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks that two models compute the same function (a compacted model against the masked model it came from):
 * both run in ONNX Runtime on the same seeded random inputs, and every output must agree within
 * {@code tolerance × max(1, output scale)}, where the scale is the reference output's largest magnitude.
 */
public final class EquivalenceCheck {
    private EquivalenceCheck() {
    }

    /**
     * @param passed        whether every output agreed
     * @param maxAbsDiff    largest absolute difference seen
     * @param outputScale   largest |value| of the reference outputs
     * @param tolerance     the relative tolerance used
     * @param trials        random batches compared
     */
    public record Result(boolean passed, double maxAbsDiff, double outputScale, double tolerance, int trials) {
    }

    /**
     * @param reference the masked model (file)
     * @param candidate the compacted model (file)
     * @param batch     batch size for symbolic batch dimensions
     */
    public static Result compare(Path reference, Path candidate, int trials, int batch, double tolerance)
            throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession a = env.createSession(reference.toString(), opts);
                 OrtSession b = env.createSession(candidate.toString(), opts)) {
                SplittableRandom random = new SplittableRandom(20240607);
                double maxDiff = 0;
                double scale = 0;
                for (int t = 0; t < trials; t++) {
                    Map<String, OnnxTensor> inputs = randomInputs(env, a, batch, random);
                    try {
                        List<float[]> ya = outputs(a.run(inputs));
                        List<float[]> yb = outputs(b.run(inputs));
                        for (int o = 0; o < ya.size(); o++) {
                            float[] p = ya.get(o);
                            float[] q = yb.get(o);
                            if (p.length != q.length) {
                                return new Result(false, Double.POSITIVE_INFINITY, scale, tolerance, t + 1);
                            }
                            for (int i = 0; i < p.length; i++) {
                                scale = Math.max(scale, Math.abs(p[i]));
                                double d = Math.abs(p[i] - q[i]);
                                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
                            }
                        }
                    } finally {
                        for (OnnxTensor x : inputs.values()) {
                            x.close();
                        }
                    }
                }
                return new Result(maxDiff <= tolerance * Math.max(1, scale), maxDiff, scale, tolerance, trials);
            }
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime could not run the equivalence check: " + e.getMessage(), e);
        }
    }

    private static Map<String, OnnxTensor> randomInputs(OrtEnvironment env, OrtSession s, int batch,
                                                        SplittableRandom random) throws OrtException {
        Map<String, OnnxTensor> out = new HashMap<>();
        for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
            TensorInfo info = (TensorInfo) e.getValue().getInfo();
            long[] shape = info.getShape().clone();
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    shape[i] = i == 0 ? batch : 1;
                }
                n *= shape[i];
            }
            if (info.type == OnnxJavaType.INT64) {
                long[] v = new long[(int) n];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextInt(4);
                }
                out.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape));
            } else {
                float[] v = new float[(int) n];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextDouble(-1, 1);
                }
                out.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
            }
        }
        return out;
    }

    private static List<float[]> outputs(OrtSession.Result r) throws OrtException {
        try (r) {
            List<float[]> out = new ArrayList<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] v = new float[fb == null ? 0 : fb.remaining()];
                if (fb != null) {
                    fb.get(v);
                }
                out.add(v);
            }
            return out;
        }
    }
}
