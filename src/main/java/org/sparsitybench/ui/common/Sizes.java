package org.sparsitybench.ui.common;

import java.util.Locale;

/** Sizes as the window shows them. */
public final class Sizes {
    private Sizes() {
    }

    /**
     * A size in binary units, named as such: 2,009,232,912 bytes are "1.87 GiB" (not "1.87 GB", which would be
     * 1.87 × 10⁹ bytes), 248,646 bytes "242.8 KiB", below 1 KiB the bytes themselves.
     */
    public static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.2f MiB", b / (double) (1L << 20));
        }
        if (b >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return b + " B";
    }
}
