package org.sparsitybench.ui.export;

import java.util.Objects;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * How exported charts are drawn, whatever the window shows: pixel size and theme (light for a paper, even while
 * the window is dark).
 *
 * @param width  pixels, {@value #MIN} to {@value #MAX}
 * @param height pixels, {@value #MIN} to {@value #MAX}
 * @param theme  the look of the files
 */
public record ChartOptions(int width, int height, ChartTheme theme) {
    public static final int MIN = 200;
    public static final int MAX = 8000;
    /** 1200 × 800, light. */
    public static final ChartOptions DEFAULT = new ChartOptions(1200, 800, ChartTheme.LIGHT);

    public ChartOptions {
        Objects.requireNonNull(theme, "theme");
        if (width < MIN || width > MAX || height < MIN || height > MAX) {
            throw new IllegalArgumentException("chart size " + width + " × " + height + ": each side " + MIN + " to "
                    + MAX + " pixels");
        }
    }
}
