package org.sparsitybench.train;

import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Mean of each feature map, (C, N, H, W) to flat (N, C): {@link SpatialMean} then {@link Flatten}, exported as
 * GlobalAveragePool then Flatten.
 */
public final class GlobalAvgPool implements TrainableOp {
    private final String name;
    private final SpatialMean mean = new SpatialMean();
    private final Flatten flatten;

    public GlobalAvgPool(String name) {
        this.name = name;
        this.flatten = new Flatten(name + ".flatten");
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        return flatten.forward(mean.forward(x, training), training);
    }

    @Override
    public Activations backward(Activations g) {
        return mean.backward(flatten.backward(g));
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        String pooled = onnx.node(name, "GlobalAveragePool", name + ".out", new String[] {x});
        return onnx.node(name + ".flatten", "Flatten", OnnxExport.outputName(output, name + ".flat"),
                new String[] {pooled}, OnnxModelBuilder.attrInt("axis", 1));
    }
}
