package org.sparsitybench.formats.onnx;

import com.google.protobuf.Internal;
import java.nio.FloatBuffer;
import java.util.Objects;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.TensorData;

/**
 * Values held in a TensorProto's typed repeated fields ({@code float_data}, {@code int32_data} with FLOAT16 or
 * BFLOAT16 bits, ...), read through protobuf's primitive lists without boxing.
 */
final class TypedFieldData implements TensorData {
    private final DType dtype;
    private final long count;
    private final Internal.FloatList floats;
    private final Internal.DoubleList doubles;
    private final Internal.IntList ints;
    private final Internal.LongList longs;

    private TypedFieldData(DType dtype, long count, Internal.FloatList floats, Internal.DoubleList doubles,
                           Internal.IntList ints, Internal.LongList longs) {
        this.dtype = dtype;
        this.count = count;
        this.floats = floats;
        this.doubles = doubles;
        this.ints = ints;
        this.longs = longs;
    }

    static TypedFieldData floats(long count, java.util.List<Float> list) {
        return new TypedFieldData(DType.FLOAT, count, (Internal.FloatList) list, null, null, null);
    }

    static TypedFieldData doubles(long count, java.util.List<Double> list) {
        return new TypedFieldData(DType.DOUBLE, count, null, (Internal.DoubleList) list, null, null);
    }

    static TypedFieldData ints(DType dtype, long count, java.util.List<Integer> list) {
        return new TypedFieldData(dtype, count, null, null, (Internal.IntList) list, null);
    }

    static TypedFieldData longs(DType dtype, long count, java.util.List<Long> list) {
        return new TypedFieldData(dtype, count, null, null, null, (Internal.LongList) list);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long elementCount() {
        return count;
    }

    @Override
    public void readFloats(long first, FloatBuffer dst) {
        Objects.checkFromIndexSize(first, dst.remaining(), count);
        int from = (int) first;
        int end = from + dst.remaining();
        for (int i = from; i < end; i++) {
            dst.put(value(i));
        }
    }

    private float value(int i) {
        if (floats != null) {
            return floats.getFloat(i);
        }
        if (doubles != null) {
            return (float) doubles.getDouble(i);
        }
        if (longs != null) {
            long v = longs.getLong(i);
            return dtype == DType.UINT64 && v < 0 ? (float) (v >>> 1) * 2f : (float) v;
        }
        int v = ints.getInt(i);
        return switch (dtype) {
            case FLOAT16 -> DTypeCodec.halfToFloat(v);
            case BFLOAT16 -> DTypeCodec.bf16ToFloat(v);
            case FLOAT8_E4M3 -> DTypeCodec.fp8E4M3ToFloat(v);
            case FLOAT8_E5M2 -> DTypeCodec.fp8E5M2ToFloat(v);
            case UINT8, BOOL -> v & 0xff;
            case UINT16 -> v & 0xffff;
            default -> v;
        };
    }
}
