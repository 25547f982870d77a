package org.sparsitybench.quantize;

/**
 * How much of the computation becomes integer. {@link #STATIC}: INT8 weights and activations (calibrated
 * ranges), so ONNX Runtime can run integer kernels; {@link #WEIGHTS}: only the stored weights are integers,
 * dequantized to float before their op (a smaller file, float arithmetic).
 */
public enum QuantMode {
    STATIC,
    WEIGHTS
}
