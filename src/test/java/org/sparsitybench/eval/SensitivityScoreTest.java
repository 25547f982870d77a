package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The table's one number per layer: accuracy lost at the measured level nearest 50 %. */
class SensitivityScoreTest {
    private static Sensitivity.LayerCurve curve(double... levelAccuracy) {
        List<Sensitivity.Point> points = new java.util.ArrayList<>();
        for (int i = 0; i < levelAccuracy.length; i += 2) {
            points.add(new Sensitivity.Point(levelAccuracy[i], levelAccuracy[i + 1], 0, 0));
        }
        return new Sensitivity.LayerCurve("fc1.weight", 100, points);
    }

    @Test
    void theDropIsReadAtTheLevelNearestHalf() {
        assertEquals(0.10, SensitivityScore.dropNearHalf(curve(0, 0.9, 0.25, 0.88, 0.45, 0.8, 0.7, 0.5)), 1e-12);
        assertEquals(0.30, SensitivityScore.dropNearHalf(curve(0, 0.9, 0.6, 0.6, 0.9, 0.1)), 1e-12,
                "0.6 is nearer 0.5 than 0.9");
    }

    @Test
    void aGainIsANegativeDropAndAReferenceAloneIsNone() {
        assertEquals(-0.02, SensitivityScore.dropNearHalf(curve(0, 0.8, 0.5, 0.82)), 1e-12);
        assertEquals(0, SensitivityScore.dropNearHalf(curve(0, 0.8)));
    }
}
