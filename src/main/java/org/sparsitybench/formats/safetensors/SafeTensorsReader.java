package org.sparsitybench.formats.safetensors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.CharArrayReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparsitybench.formats.ModelReader;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Graph;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

/**
 * Reads a SafeTensors file: an 8-byte little-endian header length N, N bytes of UTF-8 JSON naming each tensor's
 * dtype, shape and byte span, then the tensors' bytes. The header is checked completely before any tensor byte
 * is touched; tensor bytes are memory-mapped (read only) and decoded only when asked for. The file is never
 * modified.
 */
public final class SafeTensorsReader implements ModelReader {
    /** Largest header accepted, as the reference implementation does. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Default size of one mapped window; tensors larger than this are mapped in several windows. */
    static final long DEFAULT_WINDOW_BYTES = 1L << 30;
    static final String METADATA_KEY = "__metadata__";

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final long windowBytes;

    public SafeTensorsReader() {
        this(DEFAULT_WINDOW_BYTES);
    }

    /**
     * Reads with mapping windows of at most {@code windowBytes} (small windows exercise the window seams).
     *
     * @param windowBytes largest mapping per window (rounded down to whole elements, at least one element);
     *                    between 1 and {@link Integer#MAX_VALUE}
     */
    public SafeTensorsReader(long windowBytes) {
        if (windowBytes < 1 || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window size " + windowBytes + " outside [1, " + Integer.MAX_VALUE + "]");
        }
        this.windowBytes = windowBytes;
    }

    /** One header entry after validation. */
    private record Span(int index, String name, String code, DType dtype, long[] shape, long count, long begin,
                        long end) {
    }

    @Override
    public Model read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file, "", "expected a SafeTensors file, found a folder");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(file, "offset 0",
                        "expected an 8-byte little-endian header length, but the file holds only " + size + " bytes");
            }
            ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, ch, lengthField, 0);
            long n = lengthField.getLong(0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw new ModelFormatException(file, "offset 0", "expected a header length of at most "
                        + MAX_HEADER_BYTES + " bytes, found " + Long.toUnsignedString(n));
            }
            if (n > size - 8) {
                throw new ModelFormatException(file, "offset 0", "header length " + n
                        + " runs past the end of the file: only " + (size - 8) + " bytes follow the length field");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            readFully(file, ch, headerBytes, 8);
            JsonNode root = parseHeader(file, headerBytes);
            long dataBytes = size - 8 - n;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Span> spans = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : root.properties()) {
                if (METADATA_KEY.equals(field.getKey())) {
                    readMetadata(file, field.getValue(), metadata);
                } else {
                    spans.add(readSpan(file, spans.size(), field.getKey(), field.getValue(), dataBytes));
                }
            }
            checkLayout(file, spans, dataBytes, 8 + n);
            return build(file, ch, spans, metadata, 8 + n);
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, at);
            if (r < 0) {
                throw new ModelFormatException(file, "offset " + at, "expected " + dst.remaining()
                        + " more bytes, but the file ended");
            }
            at += r;
        }
        dst.flip();
    }

    private static JsonNode parseHeader(Path file, ByteBuffer bytes) throws ModelFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining());
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            throw new ModelFormatException(file, "offset " + (8 + bytes.position()),
                    "expected UTF-8 header text, found an invalid byte sequence of length " + result.length());
        }
        if (result.isOverflow()) { // cannot happen: UTF-8 never yields more chars than bytes
            throw new ModelFormatException(file, "header", "header text could not be decoded");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new CharArrayReader(chars.array(), 0, chars.position()));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getCharOffset() < 0 ? "" : " at character " + at.getCharOffset();
            throw new ModelFormatException(file, "header", "expected a JSON object, found invalid JSON" + where + ": "
                    + abbreviate(e.getOriginalMessage()), e);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file, "header", "expected a JSON object, could not parse it: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "header", "expected a JSON object, found " + describe(root));
        }
        return root;
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata)
            throws ModelFormatException {
        if (!node.isObject()) {
            throw new ModelFormatException(file, METADATA_KEY, "expected an object of string values, found "
                    + describe(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(file, METADATA_KEY + " entry " + abbreviate(e.getKey()),
                        "expected a string value, found " + describe(e.getValue()));
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Span readSpan(Path file, int index, String name, JsonNode node, long dataBytes)
            throws ModelFormatException {
        String place = "tensor " + name(name);
        if (!node.isObject()) {
            throw new ModelFormatException(file, place,
                    "expected an object with dtype, shape and data_offsets, found " + describe(node));
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelFormatException(file, place, "expected \"dtype\" to be a string such as \"F32\", found "
                    + describe(dtypeNode));
        }
        String code = dtypeNode.textValue();
        DType dtype = SafeTensorsSource.CODES.get(code);
        if (dtype == null) {
            throw new ModelFormatException(file, place, "expected dtype to be one of "
                    + String.join(", ", SafeTensorsSource.CODES.keySet()) + ", found " + describe(dtypeNode));
        }

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new ModelFormatException(file, place,
                    "expected \"shape\" to be an array of non-negative integers, found " + describe(shapeNode));
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, place, "shape[" + i + "]", shapeNode.get(i));
        }
        long count;
        long bytes;
        try {
            count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, place, "expected a shape whose byte size fits 64 bits, found "
                    + Arrays.toString(shape) + " of " + code);
        }

        JsonNode offsetsNode = node.get("data_offsets");
        if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new ModelFormatException(file, place,
                    "expected \"data_offsets\" to be [begin, end], found " + describe(offsetsNode));
        }
        long begin = nonNegativeLong(file, place, "data_offsets[0]", offsetsNode.get(0));
        long end = nonNegativeLong(file, place, "data_offsets[1]", offsetsNode.get(1));
        if (begin > end) {
            throw new ModelFormatException(file, place, "expected data_offsets begin <= end, found ["
                    + begin + ", " + end + "]");
        }
        if (end - begin != bytes) {
            throw new ModelFormatException(file, place, "expected data_offsets to span " + bytes + " bytes ("
                    + code + " " + Arrays.toString(shape) + "), found [" + begin + ", " + end + "] spanning "
                    + (end - begin));
        }
        if (end > dataBytes) {
            throw new ModelFormatException(file, place, "expected data_offsets within the " + dataBytes
                    + " data bytes after the header, found [" + begin + ", " + end + "]");
        }
        return new Span(index, name, code, dtype, shape, count, begin, end);
    }

    private static long nonNegativeLong(Path file, String place, String what, JsonNode node)
            throws ModelFormatException {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new ModelFormatException(file, place, "expected " + what
                    + " to be a non-negative integer below 2^63, found " + describe(node));
        }
        return node.longValue();
    }

    /** Spans sorted by offset must tile the data section exactly: start at 0, no gaps, no overlaps, end at EOF. */
    private static void checkLayout(Path file, List<Span> spans, long dataBytes, long dataStart)
            throws ModelFormatException {
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(Span::begin).thenComparingLong(Span::end).thenComparingInt(Span::index));
        long expected = 0;
        Span previous = null;
        for (Span s : sorted) {
            String place = "tensor " + name(s.name());
            if (s.begin() < expected) {
                throw new ModelFormatException(file, place, "expected data to begin at byte " + expected
                        + (previous == null ? "" : " where tensor " + abbreviate(previous.name()) + " ends")
                        + ", found [" + s.begin() + ", " + s.end() + "], which overlaps it");
            }
            if (s.begin() > expected) {
                throw new ModelFormatException(file, place, "expected data to begin at byte " + expected
                        + (previous == null ? " (the start of the data section)"
                        : " where tensor " + abbreviate(previous.name()) + " ends")
                        + ", found [" + s.begin() + ", " + s.end() + "], leaving a gap");
            }
            expected = s.end();
            previous = s;
        }
        if (expected != dataBytes) {
            String place = previous == null ? "offset " + dataStart : "tensor " + name(previous.name());
            throw new ModelFormatException(file, place, "expected the tensors' data to end at the end of the file ("
                    + dataBytes + " bytes after the header), found it ends after " + expected
                    + " bytes, leaving " + (dataBytes - expected) + " unused bytes");
        }
    }

    private Model build(Path file, FileChannel ch, List<Span> spans, Map<String, String> metadata, long dataStart)
            throws IOException {
        List<WeightTensor> tensors = new ArrayList<>(spans.size());
        List<SafeTensorsSource.Entry> entries = new ArrayList<>(spans.size());
        for (Span s : spans) {
            String place = "tensor " + name(s.name());
            long elementBytes = s.dtype().byteSize();
            long perWindow = Math.max(elementBytes, windowBytes / elementBytes * elementBytes);
            long bytes = s.end() - s.begin();
            List<ByteBuffer> windows = new ArrayList<>((int) Math.min(1024, (bytes + perWindow - 1) / perWindow));
            for (long at = 0; at < bytes; at += perWindow) {
                long len = Math.min(perWindow, bytes - at);
                windows.add(ch.map(FileChannel.MapMode.READ_ONLY, dataStart + s.begin() + at, len));
            }
            try {
                BufferTensorData data = new BufferTensorData(s.dtype(), s.count(), windows);
                tensors.add(tensor(s, data));
                entries.add(new SafeTensorsSource.Entry(s.name(), s.code(), s.dtype(), s.shape(), data));
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file, place, "inconsistent tensor: " + e.getMessage(), e);
            }
        }
        try {
            return new Model(ModelFormat.SAFETENSORS, file, tensors, Graph.EMPTY, metadata,
                    new SafeTensorsSource(entries));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "header", "inconsistent tensors: " + e.getMessage(), e);
        }
    }

    private static WeightTensor tensor(Span s, BufferTensorData data) {
        String name = s.name();
        int dot = name.lastIndexOf('.');
        String module = dot < 0 ? name : name.substring(0, dot);
        int rank = s.shape().length;
        boolean isWeight = name.endsWith(".weight");
        TensorRole role;
        if (isWeight && rank >= 2) {
            role = TensorRole.WEIGHT;
        } else if (isWeight && rank == 1 && looksLikeNorm(module)) {
            role = TensorRole.NORM;
        } else if (name.endsWith(".bias")) {
            role = TensorRole.BIAS;
        } else {
            role = TensorRole.OTHER;
        }
        boolean prunable = s.dtype().isPrunableFloat() && rank >= 2 && isWeight;
        int axis = prunable ? 0 : WeightTensor.NO_AXIS;
        return new WeightTensor(name, "", module, s.shape(), s.dtype(), role, prunable, axis, "data", data);
    }

    private static boolean looksLikeNorm(String module) {
        String m = module.toLowerCase(Locale.ROOT);
        return m.contains("norm") || m.contains("ln") || m.contains("bn");
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array of " + node.size() + " elements";
        }
        if (node.isTextual()) {
            return "the string \"" + abbreviate(node.textValue()) + "\"";
        }
        if (node.isNull()) {
            return "null";
        }
        return abbreviate(node.asText());
    }

    /** A tensor name for messages: whole unless absurdly long. */
    private static String name(String s) {
        return s.length() <= 300 ? s : s.substring(0, 297) + "...";
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
