package org.sparsitybench.formats.onnx;

import java.util.Set;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

/**
 * What a constant tensor does for the node that consumes it, and whether and along which axis the engine may
 * prune it. One rule per operator family, from the ONNX operator specs.
 */
final class OnnxRoles {
    private static final Set<String> NORMS = Set.of("BatchNormalization", "InstanceNormalization",
            "LayerNormalization", "GroupNormalization", "SimplifiedLayerNormalization", "SkipLayerNormalization");
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "RNN");
    private static final Set<String> SHAPE_OPS = Set.of("Reshape", "Expand", "Tile", "Slice", "Squeeze",
            "Unsqueeze", "ConstantOfShape", "Pad", "Resize", "TopK", "Range", "Split", "ReduceMean", "ReduceSum",
            "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "OneHot", "Upsample", "GatherElements",
            "ScatterElements", "ScatterND", "GatherND", "CumSum", "Trilu");

    private OnnxRoles() {
    }

    /**
     * The role of a constant.
     *
     * @param op            consuming op type
     * @param inputIndex    which input of the node the constant is
     * @param rank          the constant's rank
     * @param otherIsConst  for MatMul/Gather: whether the other operand is a constant too
     * @param attrs         the node's integer attributes (transB, axis)
     */
    static Verdict classify(String op, int inputIndex, int rank, boolean otherIsConst, IntAttrs attrs) {
        switch (op) {
            case "Conv":
                return inputIndex == 1 ? weight(0, rank >= 3) : inputIndex == 2 ? bias() : other();
            case "ConvTranspose":
                return inputIndex == 1 ? weight(1, rank >= 3) : inputIndex == 2 ? bias() : other();
            case "Gemm":
                if (inputIndex == 1) {
                    return weight(attrs.get("transB", 0) != 0 ? 0 : 1, rank == 2);
                }
                if (inputIndex == 0) {
                    return weight(attrs.get("transA", 0) != 0 ? 1 : 0, false);
                }
                return inputIndex == 2 ? bias() : other();
            case "MatMul":
                if (otherIsConst || rank < 2) {
                    return other();
                }
                // Output features are B's last axis, or A's second-to-last (rows of the result).
                return inputIndex == 1 ? weight(rank - 1, true) : weight(rank - 2, true);
            case "Gather":
                if (inputIndex == 1) {
                    return new Verdict(TensorRole.SHAPE, false, WeightTensor.NO_AXIS);
                }
                boolean embedding = inputIndex == 0 && rank == 2 && attrs.get("axis", 0) == 0 && !otherIsConst;
                return embedding ? weight(1, true) : other();
            default:
                break;
        }
        if (RECURRENT.contains(op)) {
            return inputIndex == 1 || inputIndex == 2 ? weight(1, rank == 3)
                    : inputIndex == 3 ? bias() : other();
        }
        if (NORMS.contains(op) && inputIndex >= 1) {
            return new Verdict(TensorRole.NORM, false, WeightTensor.NO_AXIS);
        }
        if (SHAPE_OPS.contains(op) && inputIndex >= 1 || "ConstantOfShape".equals(op)) {
            return new Verdict(TensorRole.SHAPE, false, WeightTensor.NO_AXIS);
        }
        return other();
    }

    private static Verdict weight(int axis, boolean prunable) {
        return new Verdict(TensorRole.WEIGHT, prunable, axis);
    }

    private static Verdict bias() {
        return new Verdict(TensorRole.BIAS, false, WeightTensor.NO_AXIS);
    }

    private static Verdict other() {
        return new Verdict(TensorRole.OTHER, false, WeightTensor.NO_AXIS);
    }

    /** Integer attributes of a node by name. */
    @FunctionalInterface
    interface IntAttrs {
        long get(String name, long fallback);
    }

    /**
     * @param role      what the tensor does
     * @param prunable  prunable if also a float type
     * @param axis      output-channel axis, or NO_AXIS
     */
    record Verdict(TensorRole role, boolean prunable, int axis) {
        /** Preference when one constant feeds several nodes: a weight beats a bias beats the rest. */
        int rank() {
            return role == TensorRole.WEIGHT ? (prunable ? 4 : 3) : role == TensorRole.BIAS ? 2
                    : role == TensorRole.NORM ? 1 : 0;
        }
    }
}
