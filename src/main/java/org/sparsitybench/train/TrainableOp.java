package org.sparsitybench.train;

import java.util.List;

/**
 * One trainable step of a network (an ONNX operator or a fused pair of them) with its own backward pass. The
 * sample generator's ops also export themselves, so an exported sample is the network that was trained, op for
 * op; ops read from a model's graph ({@link OnnxGraphReader}) are written back into that graph.
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

    /**
     * Tells the op that nobody reads its input's gradient (the input is the data), so {@link #backward} may skip
     * computing it and return null. Ops for which that gradient is cheap ignore this.
     */
    default void skipInputGradient() {
    }

    /** Trainable tensors, in a fixed order. */
    default List<Param> params() {
        return List.of();
    }

    /**
     * Tensors the op updates without gradients (batch-norm running statistics), written back with the
     * parameters; never given to the optimiser.
     */
    default List<Param> buffers() {
        return List.of();
    }

    /**
     * Adds this op's nodes and initializers (the sample generator builds its models this way). Ops read from an
     * existing graph are written back through the format's writer instead and do not export themselves.
     *
     * @param input  name of the input tensor
     * @param output name for the output tensor, or null to let the op choose
     * @return the name of the output tensor
     */
    default String export(OnnxExport onnx, String input, String output) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " was read from a graph; its values "
                + "are written back into that graph");
    }
}
