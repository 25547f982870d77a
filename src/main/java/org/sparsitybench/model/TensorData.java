package org.sparsitybench.model;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The values of one tensor, left where the file keeps them (a mapped window, protobuf bytes) until asked for.
 * Implementations are immutable and safe to read from several threads.
 */
public interface TensorData {
    /** Largest tensor {@link #readAllFloats()} can return in one array. */
    long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8L;

    DType dtype();

    long elementCount();

    /**
     * Reads elements {@code [first, first + dst.remaining())} converted to float32 into {@code dst} (modified:
     * its position advances to its limit).
     *
     * @throws IndexOutOfBoundsException if the range is outside the tensor
     */
    void readFloats(long first, FloatBuffer dst);

    /**
     * Reads elements {@code [first, first + count)} as they are stored, in {@link #dtype()} little-endian, into
     * {@code dst} at its position (modified: the position advances by {@code count × dtype().byteSize()}) when this
     * data can hand out its bytes without decoding them; a writer keeping the dtype then copies bytes instead of
     * decoding and encoding every element. Only the float types ({@link DType#FLOAT}, {@link DType#FLOAT16},
     * {@link DType#BFLOAT16}) are handed out this way.
     *
     * @return false, with {@code dst} untouched, when the bytes are not at hand (the default): read floats then
     * @throws IndexOutOfBoundsException if the range is outside the tensor
     */
    default boolean readStored(long first, int count, ByteBuffer dst) {
        return false;
    }

    /**
     * As {@link #readStored}, into longs: the stored little-endian bytes of elements {@code [first, first + count)}
     * packed from {@code dst[0]} on, eight bytes a long (the last long's bytes past the range unspecified), when
     * this data can copy them straight into the array (one copy where a {@code ByteBuffer} and a view over it took
     * two).
     *
     * @param dst at least {@code ceil(count × dtype().byteSize() / 8)} longs (modified)
     * @return false, with {@code dst} untouched, when it cannot (the default): use {@link #readStored}
     */
    default boolean readStoredLongs(long first, int count, long[] dst) {
        return false;
    }

    /**
     * The zeros (either sign) among elements {@code [first, first + count)} when this data knows them without
     * reading its values, else -1 (the default): a masked view whose mask keeps no zero holds exactly its pruned
     * elements as zeros, which its mask's bits count.
     *
     * @throws IndexOutOfBoundsException if the range is outside the tensor (when known)
     */
    default long zerosIfKnown(long first, int count) {
        return -1;
    }

    /** Whether {@link #readStored} may hand out bytes of {@code type}: the float types, which writers keep. */
    static boolean storable(DType type) {
        return type == DType.FLOAT || type == DType.FLOAT16 || type == DType.BFLOAT16;
    }

    /** All elements as float32; for tensors up to {@link #MAX_ARRAY_ELEMENTS}. */
    default float[] readAllFloats() {
        long n = elementCount();
        if (n > MAX_ARRAY_ELEMENTS) {
            throw new UnsupportedModelException(n + " elements do not fit one array; read the tensor in chunks");
        }
        float[] out = new float[(int) n];
        readFloats(0, FloatBuffer.wrap(out));
        return out;
    }

    /** Tensor data backed by a float array that the caller hands over (not copied, not modified later). */
    static TensorData ofFloats(float[] values) {
        return new ArrayTensorData(values);
    }
}
