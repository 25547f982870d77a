package org.sparsitybench.quantize;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import java.util.Map;
import org.sparsitybench.model.UnsupportedModelException;

/**
 * Whether a graph written for one default-domain opset means the same at a newer one, for the operators whose
 * signatures changed in between (an attribute that became an input, a mode renamed). Per-axis DequantizeLinear
 * needs opset 13, INT4 and blocked DequantizeLinear need 21; a model older than that is moved up only when none of
 * its nodes would change meaning.
 */
final class OpsetUpgrade {
    /** Operator → {opset from which the attribute is an input (or the op changed), the attribute (or "" = any use)}. */
    private static final Map<String, Object[]> CHANGED = Map.ofEntries(
            Map.entry("Squeeze", new Object[] {13, "axes"}),
            Map.entry("Unsqueeze", new Object[] {13, "axes"}),
            Map.entry("ReduceSum", new Object[] {13, "axes"}),
            Map.entry("Split", new Object[] {13, "split"}),
            Map.entry("Pad", new Object[] {11, "pads"}),
            Map.entry("Clip", new Object[] {11, "min"}),
            Map.entry("Dropout", new Object[] {12, "ratio"}),
            Map.entry("Slice", new Object[] {10, "starts"}),
            Map.entry("TopK", new Object[] {10, "k"}),
            Map.entry("Upsample", new Object[] {10, ""}),
            Map.entry("Resize", new Object[] {11, ""}),
            Map.entry("Scatter", new Object[] {11, ""}),
            Map.entry("ReduceMean", new Object[] {18, "axes"}),
            Map.entry("ReduceMax", new Object[] {18, "axes"}),
            Map.entry("ReduceMin", new Object[] {18, "axes"}),
            Map.entry("ReduceProd", new Object[] {18, "axes"}),
            Map.entry("ReduceL1", new Object[] {18, "axes"}),
            Map.entry("ReduceL2", new Object[] {18, "axes"}),
            Map.entry("ReduceLogSum", new Object[] {18, "axes"}),
            Map.entry("ReduceLogSumExp", new Object[] {18, "axes"}),
            Map.entry("ReduceSumSquare", new Object[] {18, "axes"}),
            Map.entry("GridSample", new Object[] {20, ""}),
            Map.entry("BatchNormalization", new Object[] {9, "spatial"}));

    private OpsetUpgrade() {
    }

    /**
     * @param nodes   the main graph's nodes (not modified)
     * @param from    the model's default-domain opset
     * @param to      the opset the quantized model needs
     * @param why     what needs {@code to}, for the message
     * @throws UnsupportedModelException naming the first node whose meaning would change
     */
    static void check(List<NodeProto> nodes, long from, long to, String why, String file) {
        if (from >= to) {
            return;
        }
        if (from < 9) {
            throw new UnsupportedModelException(file + ": the model uses opset " + from + "; " + why + " needs opset "
                    + to + ", and models older than opset 9 are not moved up: re-export at opset 13 or later");
        }
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                continue;
            }
            Object[] c = CHANGED.get(n.getOpType());
            if (c == null || from >= (int) c[0] || to < (int) c[0]) {
                continue;
            }
            String attr = (String) c[1];
            boolean uses = attr.isEmpty();
            for (AttributeProto a : n.getAttributeList()) {
                uses |= a.getName().equals(attr);
            }
            if (uses) {
                String name = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
                throw new UnsupportedModelException(file + ": node " + name + " (" + n.getOpType() + ") is written for "
                        + "opset " + from + " and means something else at opset " + to + ", which " + why
                        + " needs; re-export the model at opset " + to);
            }
        }
    }
}
