package org.sparsitybench.train;

import java.util.List;

/**
 * One step of a network, with its own backward pass and its own ONNX export, so the exported graph is the
 * network that was trained, layer for layer.
 */
public interface TrainableOp {
    /**
     * The layer's output.
     *
     * @param x        input (not modified)
     * @param training batch statistics and remembered inputs for {@link #backward}; otherwise inference
     */
    Activations forward(Activations x, boolean training);

    /**
     * Gradient of the loss with respect to the input of the last training {@link #forward}; adds this layer's
     * parameter gradients to {@link Param#grad}.
     *
     * @param gradOut gradient with respect to the output (not modified)
     */
    Activations backward(Activations gradOut);

    /** Trainable tensors, in a fixed order. */
    default List<Param> params() {
        return List.of();
    }

    /**
     * Adds this layer's nodes and initializers.
     *
     * @param input  name of the input tensor
     * @param output name for the output tensor, or null to let the layer choose
     * @return the name of the output tensor
     */
    String export(OnnxExport onnx, String input, String output);
}
