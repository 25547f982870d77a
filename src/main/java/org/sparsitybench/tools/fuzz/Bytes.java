package org.sparsitybench.tools.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

/** Byte-array building blocks shared by the generators. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code s} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    public static byte[] splice(byte[] s, int at, int remove, byte[] insert) {
        byte[] out = new byte[s.length - remove + insert.length];
        System.arraycopy(s, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(s, at + remove, out, at + insert.length, s.length - at - remove);
        return out;
    }

    public static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    public static byte[] floatBytes(float[] values) {
        ByteBuffer b = le(values.length * 4);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static byte[] longBytes(long... values) {
        ByteBuffer b = le(values.length * 8);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    public static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Protobuf base-128 varint. */
    public static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    /** A setup writing {@code main} as {@code name} and each side file (relative path to bytes) beside it. */
    public static CaseSetup files(String name, byte[] main, Map<String, byte[]> sideFiles) {
        return dir -> {
            for (Map.Entry<String, byte[]> e : sideFiles.entrySet()) {
                Path f = dir.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.write(f, e.getValue());
            }
            Path m = dir.resolve(name);
            Files.write(m, main);
            return m;
        };
    }

    /** Lower-case hex SHA-256 of a file's bytes, streamed. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
