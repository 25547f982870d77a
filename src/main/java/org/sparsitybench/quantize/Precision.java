package org.sparsitybench.quantize;

import java.util.Locale;

/** What a layer's weights are stored as: left float32, or integers of 8 or 4 bits with float scales. */
public enum Precision {
    FLOAT32("float", 32),
    INT8("int8", 8),
    INT4("int4", 4);

    private final String id;
    private final int bits;

    Precision(String id, int bits) {
        this.id = id;
        this.bits = bits;
    }

    /** The command-line and report spelling: {@code float}, {@code int8}, {@code int4}. */
    public String id() {
        return id;
    }

    public int bits() {
        return bits;
    }

    /** Parses {@code float}/{@code float32}/{@code fp32}, {@code int8}/{@code 8}, {@code int4}/{@code 4}. */
    public static Precision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "float", "float32", "fp32", "32" -> FLOAT32;
            case "int8", "8" -> INT8;
            case "int4", "4" -> INT4;
            default -> throw new IllegalArgumentException("precision '" + s + "' is not one of float, int8, int4");
        };
    }

    /** Precision for {@code --bits 8|4}. */
    public static Precision ofBits(int bits) {
        return switch (bits) {
            case 8 -> INT8;
            case 4 -> INT4;
            case 32 -> FLOAT32;
            default -> throw new IllegalArgumentException("bits " + bits + " is not 8 or 4");
        };
    }
}
