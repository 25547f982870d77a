package org.sparsitybench.ui.common;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.Locale;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.NumberTickUnitSource;
import org.jfree.chart.axis.TickUnit;
import org.jfree.chart.axis.TickUnitSource;

/**
 * Tick units whose labels never repeat: each unit's format shows as many decimals as its size needs (a 0.0005 ms
 * step prints "0.0185", not "0.018" three times). The sizes are JFreeChart's own 1, 2, 5 × 10ⁿ sequence; only the
 * formats are ours. For an axis in percent, the decimals count in percent ("90.5%").
 */
public final class ReadableTicks implements TickUnitSource {
    private final NumberTickUnitSource sizes = new NumberTickUnitSource(false);
    private final boolean percent;

    private ReadableTicks(boolean percent) {
        this.percent = percent;
    }

    /** Plain numbers ("0.0185"). */
    public static ReadableTicks plain() {
        return new ReadableTicks(false);
    }

    /** Shares shown as percent ("90.5%"). */
    public static ReadableTicks percent() {
        return new ReadableTicks(true);
    }

    /**
     * The format for ticks {@code size} apart: decimals = max(0, −⌊log₁₀ size⌋) (of size × 100 in percent), so two
     * neighbouring ticks always differ in their last shown digit.
     */
    public NumberFormat format(double size) {
        double step = percent ? size * 100 : size;
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        StringBuilder pattern = new StringBuilder("0");
        if (decimals > 0) {
            pattern.append('.').append("0".repeat(decimals));
        }
        if (percent) {
            pattern.append('%');
        }
        return new DecimalFormat(pattern.toString(), DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    private TickUnit ours(TickUnit unit) {
        return new NumberTickUnit(unit.getSize(), format(unit.getSize()));
    }

    @Override
    public TickUnit getLargerTickUnit(TickUnit unit) {
        return ours(sizes.getLargerTickUnit(unit));
    }

    @Override
    public TickUnit getCeilingTickUnit(TickUnit unit) {
        return ours(sizes.getCeilingTickUnit(unit));
    }

    @Override
    public TickUnit getCeilingTickUnit(double size) {
        return ours(sizes.getCeilingTickUnit(size));
    }
}
