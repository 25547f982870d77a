package org.sparsitybench.ui.curves;

import java.util.function.ToDoubleFunction;

/** The four charts of the curves view: which measurement goes on which axis. */
public enum CurveKind {
    ACCURACY_VS_SPARSITY("Accuracy vs sparsity", "achieved sparsity", "accuracy (test)", CurvePoint::sparsity, CurvePoint::accuracy),
    LOSS_VS_SPARSITY("Loss vs sparsity", "achieved sparsity", "loss (cross-entropy, test)", CurvePoint::sparsity, CurvePoint::loss),
    LATENCY_VS_SPARSITY("Latency vs sparsity", "achieved sparsity", "latency (ms, batch 1)", CurvePoint::sparsity,
            CurvePoint::latencyMs),
    ACCURACY_VS_LATENCY("Accuracy vs latency (Pareto front)", "latency (ms, batch 1)", "accuracy (test)", CurvePoint::latencyMs,
            CurvePoint::accuracy);

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final ToDoubleFunction<CurvePoint> x;
    private final ToDoubleFunction<CurvePoint> y;

    CurveKind(String title, String xLabel, String yLabel, ToDoubleFunction<CurvePoint> x, ToDoubleFunction<CurvePoint> y) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.x = x;
        this.y = y;
    }

    public String title() {
        return title;
    }

    public String xLabel() {
        return xLabel;
    }

    public String yLabel() {
        return yLabel;
    }

    public double x(CurvePoint p) {
        return x.applyAsDouble(p);
    }

    public double y(CurvePoint p) {
        return y.applyAsDouble(p);
    }

    /** Whether this chart can place {@code p}: both coordinates are finite. */
    public boolean plots(CurvePoint p) {
        return Double.isFinite(x(p)) && Double.isFinite(y(p));
    }
}
