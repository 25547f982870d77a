package org.sparsitybench.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs a model file in ONNX Runtime on one float or int64 input and returns the first output as floats. */
public final class Ort {
    private Ort() {
    }

    public static float[] run(Path model, String input, float[] values, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model.toString(), opts);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape)) {
                return first(s.run(Map.of(input, x)));
            }
        }
    }

    public static float[] runLong(Path model, String input, long[] values, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model.toString(), opts);
                 OnnxTensor x = OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape)) {
                return first(s.run(Map.of(input, x)));
            }
        }
    }

    private static float[] first(OrtSession.Result r) {
        try (r) {
            OnnxValue v = r.get(0);
            FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }
}
