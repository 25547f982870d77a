package org.sparsitybench.model;

import java.util.Locale;

/**
 * Element types the readers understand, with their byte widths. Names follow ONNX; SafeTensors codes map here.
 */
public enum DType {
    FLOAT(4, true), FLOAT16(2, true), BFLOAT16(2, true), DOUBLE(8, true),
    FLOAT8_E4M3(1, false), FLOAT8_E5M2(1, false),
    INT8(1, false), UINT8(1, false), INT16(2, false), UINT16(2, false),
    INT32(4, false), UINT32(4, false), INT64(8, false), UINT64(8, false),
    BOOL(1, false), STRING(0, false), COMPLEX64(8, false), COMPLEX128(16, false),
    /** A type this version does not know (a newer ONNX data type); listed, never decoded. */
    OTHER(0, false);

    private final int byteSize;
    private final boolean prunableFloat;

    DType(int byteSize, boolean prunableFloat) {
        this.byteSize = byteSize;
        this.prunableFloat = prunableFloat;
    }

    /** Bytes per element; 0 for variable-size types (STRING). */
    public int byteSize() {
        return byteSize;
    }

    /** True for the float types whose weights the engine prunes (FLOAT, FLOAT16, BFLOAT16, DOUBLE). */
    public boolean isPrunableFloat() {
        return prunableFloat;
    }

    /** True when {@link TensorData#readFloats} can decode this type (everything but strings and complex). */
    public boolean isNumericReal() {
        return this != STRING && this != COMPLEX64 && this != COMPLEX128 && this != OTHER;
    }

    /** Lower-case display name, e.g. {@code float16}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
