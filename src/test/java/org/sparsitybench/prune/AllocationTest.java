package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.alloc.Apportion;
import org.sparsitybench.prune.alloc.Erk;
import org.sparsitybench.prune.alloc.LayerNormalized;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.task.CancellationToken;

class AllocationTest {
    private static long[] parse(String s) {
        return java.util.Arrays.stream(s.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }

    private static double[] parseDoubles(String s) {
        return java.util.Arrays.stream(s.trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }

    @ParameterizedTest(name = "quotas {0}, caps {1}, total {2}")
    @CsvSource(delimiter = '|', textBlock = """
            1.5 1.5 1.5   | 10 10 10 | 4  | 2 1 1
            0.5 0.5       | 5 5      | 1  | 1 0
            2.4 2.4 2.2   | 3 3 3    | 7  | 3 2 2
            9 9 9         | 3 10 10  | 12 | 2 5 5
            0 0 0         | 4 4 4    | 6  | 2 2 2
            100 0         | 5 5      | 5  | 5 0
            0.2 0.2 0.2 0.2 0.2 | 1 1 1 1 1 | 1 | 1 0 0 0 0
            """)
    void apportionHitsTheTotalExactlyWithinCaps(String quotas, String caps, long total, String expected) {
        long[] k = Apportion.apportion(parseDoubles(quotas), parse(caps), total);
        assertArrayEquals(parse(expected), k);
    }

    @Test
    void apportionIsExactForRandomQuotas() {
        SplittableRandom r = new SplittableRandom(3);
        for (int c = 0; c < 500; c++) {
            int n = 1 + r.nextInt(12);
            long[] caps = new long[n];
            double[] q = new double[n];
            long capSum = 0;
            for (int l = 0; l < n; l++) {
                caps[l] = r.nextInt(1000);
                q[l] = r.nextDouble() * caps[l] * 1.3;
                capSum += caps[l];
            }
            long total = r.nextLong(capSum + 1);
            long[] k = Apportion.apportion(q, caps, total);
            long sum = 0;
            for (int l = 0; l < n; l++) {
                assertTrue(k[l] >= 0 && k[l] <= caps[l], "within cap");
                sum += k[l];
            }
            assertEquals(total, sum);
        }
    }

    @Test
    void apportionRejectsATotalBeyondTheCaps() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Apportion.apportion(new double[] {1, 1}, new long[] {2, 2}, 5));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void erkDensitiesMatchAHandComputedExample() {
        // conv 16x3x3x3: n 432, Σ dims 25;  linear 10x16: n 160, Σ 26;  linear 100x200: n 20000, Σ 300.
        // Density 0.2 of 20592 keeps 4118.4. First ε = 4118.4 / (25 + 26 + 300) = 11.733: the small linear
        // would get 11.733 · 26/160 = 1.91 > 1, so it goes dense; then ε = (4118.4 − 160) / (25 + 300) = 12.17969.
        long[][] shapes = {{16, 3, 3, 3}, {10, 16}, {100, 200}};
        double[] d = Erk.densities(shapes, 0.2);
        double epsilon = (0.2 * 20592 - 160) / 325.0;
        assertEquals(12.179692307692, epsilon, 1e-9);
        assertEquals(epsilon * 25 / 432, d[0], 1e-12);
        assertEquals(0.7048433048, d[0], 1e-9);
        assertEquals(1.0, d[1]);
        assertEquals(0.1826953846, d[2], 1e-9);
        assertEquals(0.2 * 20592, d[0] * 432 + d[1] * 160 + d[2] * 20000, 1e-9);
    }

    @Test
    void erkDensitiesNeverExceedOneAndKeepTheBudget() {
        SplittableRandom r = new SplittableRandom(8);
        for (int c = 0; c < 200; c++) {
            int layers = 1 + r.nextInt(8);
            long[][] shapes = new long[layers][];
            double total = 0;
            for (int l = 0; l < layers; l++) {
                shapes[l] = r.nextBoolean()
                        ? new long[] {1 + r.nextInt(512), 1 + r.nextInt(512)}
                        : new long[] {1 + r.nextInt(256), 1 + r.nextInt(256), 1 + r.nextInt(5), 1 + r.nextInt(5)};
                total += java.util.Arrays.stream(shapes[l]).reduce(1, (a, b) -> a * b);
            }
            double density = r.nextDouble();
            double[] d = Erk.densities(shapes, density);
            double kept = 0;
            for (int l = 0; l < layers; l++) {
                assertTrue(d[l] >= 0 && d[l] <= 1, "density " + d[l]);
                kept += d[l] * java.util.Arrays.stream(shapes[l]).reduce(1, (a, b) -> a * b);
            }
            assertEquals(density * total, kept, 1e-6 * total);
        }
    }

    @Test
    void layerNormalisedQuotasAddUpAndIgnoreScale() {
        float[] base = Reference.normal(100_000, 4, 1);
        float[] scaled = base.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 100;
        }
        float[] other = Reference.normal(30_000, 5, 0.01);
        List<ScoreHistogram> hs = new ArrayList<>();
        for (float[] w : List.of(base, scaled, other)) {
            hs.add(ScoreHistogram.build(TensorData.ofFloats(w), MagnitudeScore.INSTANCE, CancellationToken.NONE));
        }
        long total = 123_457;
        double[] q = LayerNormalized.quotas(hs, total);
        assertEquals(total, q[0] + q[1] + q[2], 1e-6);
        assertEquals(q[0], q[1], 1e-3 * q[0], "a layer and its scaled copy get the same share");
        assertEquals(q[0] / 100_000, q[2] / 30_000, 0.01, "normal layers of any scale are pruned alike");
    }
}
