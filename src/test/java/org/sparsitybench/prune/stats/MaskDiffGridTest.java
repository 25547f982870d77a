package org.sparsitybench.prune.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.task.CancellationToken;

/** The mask-difference grid against a weight-by-weight count. */
class MaskDiffGridTest {
    private static boolean[] keep(int n, double p, long seed) {
        Random r = new Random(seed);
        boolean[] k = new boolean[n];
        for (int i = 0; i < n; i++) {
            k[i] = r.nextDouble() < p;
        }
        return k;
    }

    /** Cell of matrix row r, column c exactly as documented: even integer splits. */
    private static long[] bruteForce(long rows, long cols, int gr, int gc, boolean[] a, boolean[] b) {
        long[] counts = new long[gr * gc * 4];
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < cols; c++) {
                int cellRow = (int) (r * gr / rows);
                int cellCol = -1;
                for (int j = 0; j < gc; j++) {
                    long start = (j * cols + gc - 1) / gc;
                    long end = ((j + 1) * cols + gc - 1) / gc;
                    if (c >= start && c < end) {
                        cellCol = j;
                    }
                }
                int i = (int) (r * cols + c);
                MaskDiffGrid.Kind k = a[i] && b[i] ? MaskDiffGrid.Kind.KEPT_BOTH
                        : !a[i] && !b[i] ? MaskDiffGrid.Kind.PRUNED_BOTH
                        : a[i] ? MaskDiffGrid.Kind.ONLY_A : MaskDiffGrid.Kind.ONLY_B;
                counts[(cellRow * gc + cellCol) * 4 + k.ordinal()]++;
            }
        }
        return counts;
    }

    @ParameterizedTest(name = "{0}x{1} into at most {2}x{3}")
    @CsvSource(textBlock = """
            7, 13, 7, 13
            7, 13, 3, 5
            64, 64, 4, 4
            120, 400, 32, 32
            1, 1000, 8, 8
            100, 1, 5, 5
            33, 65, 64, 64
            """)
    void countsMatchAWeightByWeightComparison(long rows, long cols, int maxRows, int maxCols) {
        int n = (int) (rows * cols);
        boolean[] a = keep(n, 0.4, rows * 31 + cols);
        boolean[] b = keep(n, 0.6, rows * 17 + cols + 5);
        MaskDiffGrid g = MaskDiffGrid.of(new long[] {rows, cols}, BitMask.ofKept(a), BitMask.ofKept(b), maxRows,
                maxCols, CancellationToken.NONE);
        int gr = (int) Math.min(maxRows, rows);
        int gc = (int) Math.min(maxCols, cols);
        assertEquals(gr, g.gridRows());
        assertEquals(gc, g.gridCols());
        assertArrayEquals(bruteForce(rows, cols, gr, gc, a, b), g.counts());
        long differing = 0;
        for (int i = 0; i < n; i++) {
            differing += a[i] != b[i] ? 1 : 0;
        }
        assertEquals(differing, g.differing());
        assertEquals(n, g.total(MaskDiffGrid.Kind.KEPT_BOTH) + g.total(MaskDiffGrid.Kind.PRUNED_BOTH) + differing);
    }

    @Test
    void convKernelIsViewedAsOutputsByTheRest() {
        long[] shape = {6, 1, 5, 5};
        boolean[] a = keep(150, 0.5, 1);
        boolean[] b = keep(150, 0.5, 2);
        MaskDiffGrid g = MaskDiffGrid.of(shape, BitMask.ofKept(a), BitMask.ofKept(b), 256, 256, CancellationToken.NONE);
        assertEquals(6, g.rows());
        assertEquals(25, g.cols());
        assertArrayEquals(bruteForce(6, 25, 6, 25, a, b), g.counts());
    }

    @Test
    void identicalMasksDifferNowhere() {
        boolean[] a = keep(4096, 0.3, 9);
        MaskDiffGrid g = MaskDiffGrid.of(new long[] {64, 64}, BitMask.ofKept(a), BitMask.ofKept(a.clone()), 16, 16,
                CancellationToken.NONE);
        assertEquals(0, g.differing());
        for (int r = 0; r < 16; r++) {
            for (int c = 0; c < 16; c++) {
                MaskDiffGrid.Kind k = g.dominant(r, c);
                assertEquals(true, k == MaskDiffGrid.Kind.KEPT_BOTH || k == MaskDiffGrid.Kind.PRUNED_BOTH, k::toString);
            }
        }
    }

    @Test
    void oneToOneCellsShowEachWeightsOwnKind() {
        boolean[] a = {true, true, false, false};
        boolean[] b = {true, false, true, false};
        MaskDiffGrid g = MaskDiffGrid.of(new long[] {2, 2}, BitMask.ofKept(a), BitMask.ofKept(b), 8, 8,
                CancellationToken.NONE);
        assertEquals(MaskDiffGrid.Kind.KEPT_BOTH, g.dominant(0, 0));
        assertEquals(MaskDiffGrid.Kind.ONLY_A, g.dominant(0, 1));
        assertEquals(MaskDiffGrid.Kind.ONLY_B, g.dominant(1, 0));
        assertEquals(MaskDiffGrid.Kind.PRUNED_BOTH, g.dominant(1, 1));
    }

    @Test
    void aTieBetweenAgreementAndDifferenceShowsTheDifference() {
        boolean[] a = {true, true};
        boolean[] b = {true, false};
        MaskDiffGrid g = MaskDiffGrid.of(new long[] {1, 2}, BitMask.ofKept(a), BitMask.ofKept(b), 1, 1,
                CancellationToken.NONE);
        assertEquals(MaskDiffGrid.Kind.ONLY_A, g.dominant(0, 0));
    }

    @Test
    void masksOfAnotherSizeAreRefusedWithBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskDiffGrid.of(new long[] {2, 3},
                BitMask.allKept(6), BitMask.allKept(7), 4, 4, CancellationToken.NONE));
        assertEquals(true, e.getMessage().contains("7"), e.getMessage());
    }
}
