package org.sparsitybench.formats.safetensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;

/**
 * What {@link SafeTensorsWriter} needs from a file {@link SafeTensorsReader} loaded: the tensors in header order
 * with their SafeTensors dtype codes, shapes and mapped bytes. Immutable.
 *
 * @param entries the tensors in header order
 */
record SafeTensorsSource(List<Entry> entries) {
    /** SafeTensors dtype codes and the element types they stand for, in the order the format lists them. */
    static final Map<String, DType> CODES;

    static {
        Map<String, DType> codes = new LinkedHashMap<>();
        codes.put("F64", DType.DOUBLE);
        codes.put("F32", DType.FLOAT);
        codes.put("F16", DType.FLOAT16);
        codes.put("BF16", DType.BFLOAT16);
        codes.put("I64", DType.INT64);
        codes.put("I32", DType.INT32);
        codes.put("I16", DType.INT16);
        codes.put("I8", DType.INT8);
        codes.put("U64", DType.UINT64);
        codes.put("U32", DType.UINT32);
        codes.put("U16", DType.UINT16);
        codes.put("U8", DType.UINT8);
        codes.put("BOOL", DType.BOOL);
        codes.put("F8_E4M3", DType.FLOAT8_E4M3);
        codes.put("F8_E5M2", DType.FLOAT8_E5M2);
        CODES = Collections.unmodifiableMap(codes);
    }

    SafeTensorsSource {
        entries = List.copyOf(entries);
    }

    /**
     * One tensor as the file stores it.
     *
     * @param name  tensor name (header key)
     * @param code  SafeTensors dtype code, e.g. "BF16"
     * @param dtype the element type the code stands for
     * @param shape dimensions (not modified after construction; callers copy)
     * @param data  the tensor's bytes, mapped from the file
     */
    record Entry(String name, String code, DType dtype, long[] shape, BufferTensorData data) {
        Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
            Objects.requireNonNull(data, "data");
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }
}
