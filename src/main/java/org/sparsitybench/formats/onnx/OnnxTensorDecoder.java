package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.OpaqueTensorData;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsafePathException;

/**
 * Turns one TensorProto into {@link TensorData} after checking every size it declares against the bytes that
 * are really there; external data is mapped from a file that must lie inside the model's folder.
 */
final class OnnxTensorDecoder {
    /** Largest mapping of one window; tensors above it are read through several. */
    static final long WINDOW_BYTES = 1L << 30;

    private final Path modelFile;
    private final Path folder;
    private Path realFolder;

    OnnxTensorDecoder(Path modelFile) {
        this.modelFile = modelFile;
        Path parent = modelFile.toAbsolutePath().getParent();
        this.folder = parent;
    }

    /** Dimensions checked: none negative, product fits a long. */
    long[] shape(TensorProto t, String place) throws ModelFormatException {
        long[] shape = new long[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0) {
                throw new ModelFormatException(modelFile, place, "dimension " + i + " is " + d + ", expected >= 0");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(modelFile, place, "dimensions " + t.getDimsList()
                        + " multiply beyond 2^63 elements");
            }
            shape[i] = d;
        }
        return shape;
    }

    /** True when the tensor's values live in an external file. */
    static boolean isExternal(TensorProto t) {
        return t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    TensorData decode(TensorProto t, long count, String place) throws ModelFormatException {
        if (!t.hasDataType() || t.getDataType() == 0) {
            throw new ModelFormatException(modelFile, place, "data_type is missing (UNDEFINED)");
        }
        DType dtype = OnnxDataTypes.toDType(t.getDataType());
        if (isExternal(t)) {
            return external(t, dtype, count, place);
        }
        if (t.hasRawData()) {
            if (dtype.byteSize() == 0 || dtype == DType.STRING) {
                return new OpaqueTensorData(dtype, count);
            }
            long expected = bytes(count, dtype, place);
            long actual = t.getRawData().size();
            if (actual != expected) {
                throw new ModelFormatException(modelFile, place, "raw_data holds " + actual + " bytes, shape "
                        + t.getDimsList() + " of " + dtype.displayName() + " needs " + expected);
            }
            if (!dtype.isNumericReal()) {
                return new OpaqueTensorData(dtype, count);
            }
            return BufferTensorData.of(dtype, count, t.getRawData().asReadOnlyByteBuffer());
        }
        return typed(t, dtype, count, place);
    }

    private long bytes(long count, DType dtype, String place) throws ModelFormatException {
        try {
            return Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(modelFile, place, count + " elements of " + dtype.displayName()
                    + " exceed 2^63 bytes");
        }
    }

    private TensorData typed(TensorProto t, DType dtype, long count, String place) throws ModelFormatException {
        long found;
        String field;
        TensorData data;
        switch (dtype) {
            case FLOAT -> {
                found = t.getFloatDataCount();
                field = "float_data";
                data = found == count ? TypedFieldData.floats(count, t.getFloatDataList()) : null;
            }
            case DOUBLE -> {
                found = t.getDoubleDataCount();
                field = "double_data";
                data = found == count ? TypedFieldData.doubles(count, t.getDoubleDataList()) : null;
            }
            case FLOAT16, BFLOAT16, FLOAT8_E4M3, FLOAT8_E5M2, INT8, UINT8, INT16, UINT16, INT32, BOOL -> {
                found = t.getInt32DataCount();
                field = "int32_data";
                data = found == count ? TypedFieldData.ints(dtype, count, t.getInt32DataList()) : null;
            }
            case INT64 -> {
                found = t.getInt64DataCount();
                field = "int64_data";
                data = found == count ? TypedFieldData.longs(dtype, count, t.getInt64DataList()) : null;
            }
            case UINT32, UINT64 -> {
                found = t.getUint64DataCount();
                field = "uint64_data";
                data = found == count ? TypedFieldData.longs(dtype, count, t.getUint64DataList()) : null;
            }
            case STRING -> {
                found = t.getStringDataCount();
                field = "string_data";
                data = found == count ? new OpaqueTensorData(dtype, count) : null;
            }
            case COMPLEX64 -> {
                found = t.getFloatDataCount() / 2;
                field = "float_data (pairs)";
                data = t.getFloatDataCount() == 2 * count ? new OpaqueTensorData(dtype, count) : null;
            }
            case COMPLEX128 -> {
                found = t.getDoubleDataCount() / 2;
                field = "double_data (pairs)";
                data = t.getDoubleDataCount() == 2 * count ? new OpaqueTensorData(dtype, count) : null;
            }
            default -> {
                return new OpaqueTensorData(dtype, count); // a newer type: listed, never decoded
            }
        }
        if (data == null) {
            throw new ModelFormatException(modelFile, place, field + " holds " + found + " values, shape "
                    + t.getDimsList() + " needs " + count);
        }
        return data;
    }

    private TensorData external(TensorProto t, DType dtype, long count, String place) throws ModelFormatException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseNonNegative(e.getValue(), "offset", place);
                case "length" -> length = parseNonNegative(e.getValue(), "length", place);
                default -> {
                    // checksum and future keys are not needed to read the data
                }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelFormatException(modelFile, place, "external data has no location");
        }
        Path dataFile = resolveExternal(location, place);
        if (dtype.byteSize() == 0 || !dtype.isNumericReal()) {
            return new OpaqueTensorData(dtype, count);
        }
        long expected = bytes(count, dtype, place);
        if (length >= 0 && length != expected) {
            throw new ModelFormatException(modelFile, place, "external length " + length + " bytes, shape "
                    + t.getDimsList() + " of " + dtype.displayName() + " needs " + expected);
        }
        try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset > size || expected > size - offset) {
                throw new ModelFormatException(modelFile, place, "external data " + location + " bytes ["
                        + offset + ", " + (offset + expected) + ") lie beyond its end (" + size + " bytes)");
            }
            return new BufferTensorData(dtype, count, mapWindows(ch, offset, expected, dtype.byteSize()));
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(modelFile, place, "cannot read external data " + location + ": " + e, e);
        }
    }

    /** Maps {@code length} bytes from {@code offset} in windows of at most 1 GiB, each a whole number of elements. */
    static List<ByteBuffer> mapWindows(FileChannel ch, long offset, long length, int elementSize) throws IOException {
        List<ByteBuffer> windows = new ArrayList<>();
        long window = WINDOW_BYTES - (WINDOW_BYTES % elementSize);
        for (long at = 0; at < length || (length == 0 && windows.isEmpty()); at += window) {
            long len = Math.min(window, length - at);
            windows.add(ch.map(FileChannel.MapMode.READ_ONLY, offset + at, len));
            if (length == 0) {
                break;
            }
        }
        return windows;
    }

    private long parseNonNegative(String value, String key, String place) throws ModelFormatException {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ModelFormatException(modelFile, place, "external data " + key + " '" + value
                    + "' is not a non-negative integer");
        }
    }

    /**
     * Resolves an external-data location against the model's folder, refusing absolute paths, {@code ..}, and
     * anything (symlinks included) that ends up outside the folder.
     */
    Path resolveExternal(String location, String place) throws ModelFormatException {
        Path rel;
        try {
            rel = Path.of(location);
        } catch (InvalidPathException e) {
            throw new UnsafePathException(modelFile, place, "external data location '" + location + "' is not a valid path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")
                || location.matches("^[A-Za-z]:.*")) {
            throw new UnsafePathException(modelFile, place, "external data location '" + location
                    + "' is absolute; only paths inside the model's folder are read");
        }
        for (Path part : rel) {
            if (part.toString().equals("..") || location.contains("\\..") || location.contains("..\\")) {
                throw new UnsafePathException(modelFile, place, "external data location '" + location
                        + "' contains '..'; only paths inside the model's folder are read");
            }
        }
        try {
            if (realFolder == null) {
                realFolder = folder.toRealPath();
            }
            Path candidate = folder.resolve(rel);
            if (Files.isSymbolicLink(candidate) && !Files.exists(candidate)) {
                Path target = candidate.getParent().resolve(Files.readSymbolicLink(candidate)).normalize();
                if (!target.startsWith(folder.normalize()) && !target.startsWith(realFolder)) {
                    throw new UnsafePathException(modelFile, place, "external data location '" + location
                            + "' is a link to " + target + ", outside the model's folder");
                }
            }
            if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS) && !Files.exists(candidate)) {
                throw new ModelFormatException(modelFile, place, "external data file " + location
                        + " does not exist beside the model");
            }
            Path real = candidate.toRealPath();
            if (!real.startsWith(realFolder)) {
                throw new UnsafePathException(modelFile, place, "external data location '" + location
                        + "' resolves to " + real + ", outside the model's folder");
            }
            if (!Files.isRegularFile(real)) {
                throw new ModelFormatException(modelFile, place, "external data " + location + " is not a regular file");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(modelFile, place, "external data file " + location + " does not exist");
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(modelFile, place, "cannot resolve external data " + location + ": " + e, e);
        }
    }
}
