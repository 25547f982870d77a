package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.List;

/**
 * A residual block: {@code y = relu(main(x) + shortcut(x))}, the shortcut being the identity or a projection
 * (1×1 convolution and batch norm). Exported with an ONNX {@code Add}, so channel pruning has to treat both
 * branches, and every block sharing the sum, as one group.
 */
public final class Residual implements TrainableOp {
    private final String name;
    private final List<TrainableOp> main;
    private final List<TrainableOp> shortcut;
    private float[] output;

    /** @param shortcut empty for the identity */
    public Residual(String name, List<TrainableOp> main, List<TrainableOp> shortcut) {
        this.name = name;
        this.main = List.copyOf(main);
        this.shortcut = List.copyOf(shortcut);
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        Activations a = Network.forward(main, x, training);
        Activations s = shortcut.isEmpty() ? x : Network.forward(shortcut, x, training);
        if (a.data.length != s.data.length) {
            throw new IllegalArgumentException(name + ": branches disagree in shape");
        }
        float[] y = new float[a.data.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(a.data[i] + s.data[i], 0f);
        }
        output = training ? y : null;
        return a.with(y);
    }

    @Override
    public Activations backward(Activations g) {
        Activations gs = g.with(Relu.mask(g.data, output));
        output = null;
        Activations dMain = Network.backward(main, gs);
        Activations dShort = shortcut.isEmpty() ? gs : Network.backward(shortcut, gs);
        float[] dx = dMain.data.clone();
        for (int i = 0; i < dx.length; i++) {
            dx[i] += dShort.data[i];
        }
        return dMain.with(dx);
    }

    @Override
    public List<Param> params() {
        List<Param> ps = new ArrayList<>();
        main.forEach(l -> ps.addAll(l.params()));
        shortcut.forEach(l -> ps.addAll(l.params()));
        return ps;
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        String a = Network.export(main, onnx, x, null);
        String s = shortcut.isEmpty() ? x : Network.export(shortcut, onnx, x, null);
        String sum = onnx.node(name + ".add", "Add", name + ".add.out", new String[] {a, s});
        return onnx.node(name + ".relu", "Relu", OnnxExport.outputName(output, name + ".out"), new String[] {sum});
    }
}
