package org.sparsitybench.formats.idx;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.sparsitybench.model.ModelFormatException;

/**
 * The header of an IDX file: two zero bytes, an element-type code, the rank, then one big-endian int32 per
 * dimension. Only the element types the MNIST family uses are named; others are rejected by the reader.
 *
 * @param type element-type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32,
 *             0x0E float64)
 * @param dims dimensions, outermost (record count) first
 */
public record IdxHeader(int type, int[] dims) {
    public static final int UBYTE = 0x08;
    public static final int BYTE = 0x09;
    public static final int SHORT = 0x0B;
    public static final int INT = 0x0C;
    public static final int FLOAT = 0x0D;
    public static final int DOUBLE = 0x0E;

    public IdxHeader {
        dims = dims.clone();
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Records in the file: the first dimension. */
    public int count() {
        return dims[0];
    }

    /** Bytes the header takes: 4 for the magic, 4 per dimension. */
    public int length() {
        return 4 + 4 * dims.length;
    }

    /** Bytes of one element of {@link #type()}. */
    public int elementSize() {
        return elementSize(type);
    }

    /** Bytes of one record: the product of all dimensions but the first, times the element size. */
    public long recordBytes() {
        long n = elementSize();
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    static int elementSize(int type) {
        return switch (type) {
            case UBYTE, BYTE -> 1;
            case SHORT -> 2;
            case INT, FLOAT -> 4;
            case DOUBLE -> 8;
            default -> 0;
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case UBYTE -> "0x08 (unsigned byte)";
            case BYTE -> "0x09 (signed byte)";
            case SHORT -> "0x0B (int16)";
            case INT -> "0x0C (int32)";
            case FLOAT -> "0x0D (float32)";
            case DOUBLE -> "0x0E (float64)";
            default -> String.format(Locale.ROOT, "0x%02X (unknown)", type);
        };
    }

    /**
     * Reads and checks a header from the start of {@code in}.
     *
     * @param in   positioned at the first byte of the (decompressed) file; advanced past the header
     * @param file named in errors (not modified)
     * @throws ModelFormatException for a short header, a magic that is not IDX, an unknown type or a negative
     *                              dimension
     */
    static IdxHeader read(DataInputStream in, Path file) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new ModelFormatException(file, "offset 0", "file ends inside the 4-byte IDX magic", e);
        }
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || elementSize(type) == 0 || rank == 0) {
            throw new ModelFormatException(file, "offset 0", String.format(Locale.ROOT,
                    "magic 0x%08X is not IDX (expected 0x0000, an element type 0x08-0x0E, a rank of at least 1)",
                    magic));
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new ModelFormatException(file, "offset " + (4 + 4 * i),
                        "file ends inside the header (rank " + rank + " needs " + (4 + 4 * rank) + " bytes)", e);
            }
            if (dims[i] < 0) {
                throw new ModelFormatException(file, "offset " + (4 + 4 * i),
                        "dimension " + i + " is negative (" + dims[i] + ")");
            }
        }
        return new IdxHeader(type, dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxHeader h && h.type == type && Arrays.equals(h.dims, dims);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "IdxHeader[type=" + typeName(type) + ", dims=" + Arrays.toString(dims) + "]";
    }
}
