package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/** Every registered method's configuration survives JSON and gives bit-identical masks again. */
class MethodConfigRoundTripTest {
    private static String hash(PruningResult r) {
        StringBuilder b = new StringBuilder();
        r.masks().forEach((name, m) -> b.append(name).append('=').append(m.sha256()).append(';'));
        return b.toString();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(textBlock = """
            magnitude,     erk
            random,        global
            nm,            uniform
            l1-structured, uniform
            l2-structured, erk
            wanda,         uniform
            wanda,         global
            """)
    void aConfigurationReadBackFromJsonGivesTheSameMaskHashes(String method, String allocation) {
        WeightTensor a = Reference.tensor("a", new long[] {8, 12}, Reference.normal(96, 1, 1));
        WeightTensor b = Reference.tensor("b", new long[] {6, 8}, Reference.normal(48, 2, 0.1));
        WeightTensor c = Reference.tensor("c", new long[] {4, 6}, Reference.normal(24, 3, 3));
        Model model = Reference.model(a, b, c);
        Map<String, FeatureNorms> norms = new LinkedHashMap<>();
        norms.put("a", new FeatureNorms(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 1));
        norms.put("b", new FeatureNorms(new double[] {8, 1, 8, 1, 8, 1, 8, 1}, 1));
        norms.put("c", new FeatureNorms(new double[] {0, 1, 0, 1, 0, 1}, 1));
        PruningConfig config = new PruningConfig(new GlobalSettings(0.6, method,
                Allocation.valueOf(allocation.toUpperCase(java.util.Locale.ROOT)), "1:4", 7, null),
                Map.of("c", LayerSettings.override(0.25)));
        PruningConfig back = PruningConfig.fromJson(config.toJson());
        assertEquals(config, back);
        PruningResult first = new PruningEngine(model, new ScoreCache(false), null, norms)
                .run(config, ProgressListener.NONE, CancellationToken.NONE);
        PruningResult again = new PruningEngine(model, new ScoreCache(false), null, norms)
                .run(back, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(hash(first), hash(again));
        assertNotEquals(0, first.pruned(), "the configuration prunes something");
        first.layers().forEach(l -> assertEquals(method, l.method()));
    }
}
