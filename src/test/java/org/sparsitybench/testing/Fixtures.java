package org.sparsitybench.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's test fixtures and reads their raw little-endian arrays. */
public final class Fixtures {
    private Fixtures() {
    }

    /** The repository root (Surefire sets sb.projectDir; IDE runs fall back to the working directory). */
    public static Path projectDir() {
        return Path.of(System.getProperty("sb.projectDir", ".")).toAbsolutePath().normalize();
    }

    public static Path torch(String name) {
        return projectDir().resolve("src/test/resources/fixtures/torch").resolve(name);
    }

    public static float[] floats(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long[] longs(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            long[] out = new long[b.remaining() / 8];
            b.asLongBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
