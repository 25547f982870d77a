package org.sparsitybench.ui.render;

import java.nio.file.Path;
import java.util.List;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/**
 * Real measurements on the bundled digits MLP (small and fast): a three-level sweep of magnitude and random
 * pruning with latency, and a three-level sensitivity table, computed once per test JVM.
 */
public final class DigitsMeasurements {
    private static ViewRenderer.Measured measured;

    private DigitsMeasurements() {
    }

    public static Path model() {
        return Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
    }

    /** Small options: 300 samples, 3 timed runs, levels 0, 50 and 90 %. */
    public static ViewRenderer.Options options(double sparsity) {
        return new ViewRenderer.Options(sparsity, null, 300, 3, List.of("magnitude", "random"),
                List.of(0.0, 0.5, 0.9), List.of(0.0, 0.5, 0.9));
    }

    /** The digits MLP measured at 50 %. */
    public static synchronized ViewRenderer.Measured atHalf() throws Exception {
        if (measured == null) {
            measured = ViewRenderer.measure(model(), options(0.5), ProgressListener.NONE, CancellationToken.NONE);
        }
        return measured;
    }
}
