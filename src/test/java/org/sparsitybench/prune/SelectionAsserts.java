package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.Threshold;

/** Bit-exact comparisons of histograms and cuts, shared by the fast-path tests against the decoding path. */
public final class SelectionAsserts {
    private SelectionAsserts() {
    }

    public static void assertSameHistogram(ScoreHistogram want, ScoreHistogram got, String where) {
        assertEquals(want.binCount(), got.binCount(), where);
        assertEquals(want.partCount(), got.partCount(), where);
        for (int j = 0; j < want.binCount(); j++) {
            assertEquals(want.bin(j), got.bin(j), where);
            assertEquals(want.count(j), got.count(j), where);
            assertEquals(Double.doubleToRawLongBits(want.sumSquares(j)), Double.doubleToRawLongBits(got.sumSquares(j)),
                    where + ": Σw² of bin " + Integer.toHexString(want.bin(j)));
            for (int p = 0; p < want.partCount(); p++) {
                assertEquals(want.partCount(p, j), got.partCount(p, j), where);
            }
        }
        assertEquals(Double.doubleToRawLongBits(want.totalSumSquares()), Double.doubleToRawLongBits(got.totalSumSquares()),
                where);
    }

    public static void assertSameCut(Threshold want, Threshold got, String where) {
        assertEquals(want.kind(), got.kind(), where);
        assertEquals(want.bits(), got.bits(), where);
        assertEquals(want.belowCount(), got.belowCount(), where);
        assertEquals(want.prunedCount(), got.prunedCount(), where);
        for (int p = 0; p < want.partCount(); p++) {
            assertEquals(want.ties(p), got.ties(p), where + " part " + p);
            assertEquals(want.tiesPruned(p), got.tiesPruned(p), where + " part " + p);
        }
        assertEquals(Double.doubleToRawLongBits(want.boundaryKeptSquares()),
                Double.doubleToRawLongBits(got.boundaryKeptSquares()), where + ": boundary Σw²");
    }
}
