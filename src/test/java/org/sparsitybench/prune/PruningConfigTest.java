package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PruningConfigTest {
    @Test
    void jsonRoundTripGivesAnEqualConfiguration() {
        PruningConfig c = new PruningConfig(
                new GlobalSettings(0.75, "magnitude", Allocation.ERK, "2:4", -7, new CalibrationSpec("cal.npz", 64)),
                Map.of("a", LayerSettings.locked(0.5), "b", LayerSettings.excludedLayer(),
                        "c", new LayerSettings("random", null, false, false)));
        String json = c.toJson();
        assertTrue(json.contains("\"erk\""), json);
        assertEquals(c, PruningConfig.fromJson(json));
    }

    @Test
    void missingFieldsTakeTheirDefaults() {
        PruningConfig c = PruningConfig.fromJson("{\"global\": {\"target\": 0.5, \"allocation\": \"layer-normalized\"}}");
        assertEquals("magnitude", c.global().method());
        assertEquals(Allocation.LAYER_NORMALIZED, c.global().allocation());
        assertEquals(LayerSettings.DEFAULT, c.layer("anything"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            target above one          | {"global": {"target": 1.5}}                                        | 1.5
            negative layer sparsity   | {"global": {"target": 0.5}, "layers": {"x": {"sparsity": -0.1}}}   | -0.1
            N greater than M          | {"global": {"target": 0.5, "nmPattern": "5:4"}}                    | 5:4
            unknown property          | {"global": {"target": 0.5, "tagret": 1}}                           | tagret
            calibration without count | {"global": {"target": 0.5, "calibration": {"dataset": "d"}}}       | 0
            """)
    void invalidConfigurationsAreRejectedNamingTheBadValue(String name, String json, String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruningConfig.fromJson(json));
        String all = e.getMessage() + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(all.contains(bad), all);
    }
}
