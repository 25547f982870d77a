package org.sparsitybench.tools.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds SafeTensors files byte by byte, independently of the reader and writer (for tests and the fuzz corpus): a compact JSON header
 * (metadata first, then tensors in the order added, contiguous offsets), padded with spaces to 8 bytes.
 */
public final class SafeTensorsFiles {
    /** One tensor: name, SafeTensors dtype code, shape and its raw little-endian bytes. */
    public record Entry(String name, String code, long[] shape, byte[] raw) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    public static SafeTensorsFiles builder() {
        return new SafeTensorsFiles();
    }

    public SafeTensorsFiles meta(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafeTensorsFiles tensor(String name, String code, long[] shape, byte[] raw) {
        entries.add(new Entry(name, code, shape.clone(), raw.clone()));
        return this;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The compact header JSON, without padding. */
    public String headerJson() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (!metadata.isEmpty()) {
            sb.append(quote("__metadata__")).append(":{");
            boolean firstMeta = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                sb.append(firstMeta ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                firstMeta = false;
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        for (Entry e : entries) {
            sb.append(first ? "" : ",").append(quote(e.name())).append(":{\"dtype\":").append(quote(e.code()))
                    .append(",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) {
                sb.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + e.raw().length).append("]}");
            offset += e.raw().length;
            first = false;
        }
        return sb.append('}').toString();
    }

    /** All tensors' bytes, in order. */
    public byte[] data() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            out.writeBytes(e.raw());
        }
        return out.toByteArray();
    }

    /** The canonical file: padded header, then the data. */
    public byte[] bytes() {
        return assemble(headerJson(), data(), true);
    }

    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    /** Length field + header (optionally space-padded so 8 + N is a multiple of 8) + data. */
    public static byte[] assemble(String headerJson, byte[] data, boolean pad) {
        return assemble(headerJson.getBytes(StandardCharsets.UTF_8), data, pad);
    }

    public static byte[] assemble(byte[] header, byte[] data, boolean pad) {
        int n = pad ? (header.length + 7) / 8 * 8 : header.length;
        ByteBuffer b = ByteBuffer.allocate(8 + n + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(header);
        for (int i = header.length; i < n; i++) {
            b.put((byte) ' ');
        }
        b.put(data);
        return b.array();
    }

    /** The header length field of a file. */
    public static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    public static long[] shape(long... dims) {
        return dims;
    }

    public static byte[] f32(float... v) {
        ByteBuffer b = le(v.length * 4);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    public static byte[] f64(double... v) {
        ByteBuffer b = le(v.length * 8);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    /** 16-bit patterns (F16, BF16, I16). */
    public static byte[] u16(int... v) {
        ByteBuffer b = le(v.length * 2);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    public static byte[] i32(int... v) {
        ByteBuffer b = le(v.length * 4);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    public static byte[] i64(long... v) {
        ByteBuffer b = le(v.length * 8);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    /** 8-bit patterns (I8, U8, BOOL, F8). */
    public static byte[] u8(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
