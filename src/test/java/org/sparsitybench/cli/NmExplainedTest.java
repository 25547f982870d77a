package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Fixtures;

/** Issue 18 item 7 on the command line: with nm the pattern decides the level, and the layers it cannot reach say why. */
class NmExplainedTest {
    @TempDir
    Path dir;

    @Test
    void pruneSaysThePatternDecidesAndWhichLayersCannotTakeIt() {
        Path model = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        Path out = dir.resolve("nm.onnx");
        Run r = InspectCommandTest.cli("prune", model.toString(), "--out", out.toString(), "--method", "nm", "--nm",
                "1:4", "--sparsity", "0.5", "--no-eval");
        assertEquals(0, r.code(), r.err());
        String first = r.out().lines().findFirst().orElseThrow();
        assertTrue(first.contains("nm 1:4 keeps 1 of every 4") && first.contains("75 % of each group")
                && first.contains("--sparsity is ignored with --method nm"), first);
        assertFalse(first.contains("requested"), first);
        assertTrue(r.out().contains("note: conv1.weight [6, 1, 5, 5]: N:M 1:4 groups run along its input dimension "
                + "(axis 1, 1 wide), which is not a multiple of 4"), r.out());
        assertTrue(r.out().contains("note: conv2.weight [16, 6, 5, 5]: N:M 1:4") && r.out().contains("1 group of 4 and "
                + "one of 2, so it is pruned to 66.7 % instead of 75.0 %"), r.out());
    }
}
