package org.sparsitybench.formats.onnx;

import org.sparsitybench.model.DType;

/** ONNX {@code TensorProto.DataType} numbers and {@link DType}, both ways. */
final class OnnxDataTypes {
    private OnnxDataTypes() {
    }

    /** The DType for an ONNX data type number; {@link DType#OTHER} for numbers this version does not know. */
    static DType toDType(int onnx) {
        return switch (onnx) {
            case 1 -> DType.FLOAT;
            case 2 -> DType.UINT8;
            case 3 -> DType.INT8;
            case 4 -> DType.UINT16;
            case 5 -> DType.INT16;
            case 6 -> DType.INT32;
            case 7 -> DType.INT64;
            case 8 -> DType.STRING;
            case 9 -> DType.BOOL;
            case 10 -> DType.FLOAT16;
            case 11 -> DType.DOUBLE;
            case 12 -> DType.UINT32;
            case 13 -> DType.UINT64;
            case 14 -> DType.COMPLEX64;
            case 15 -> DType.COMPLEX128;
            case 16 -> DType.BFLOAT16;
            case 17 -> DType.FLOAT8_E4M3; // FLOAT8E4M3FN
            case 19 -> DType.FLOAT8_E5M2;
            default -> DType.OTHER;
        };
    }
}
