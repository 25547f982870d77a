package org.sparsitybench.tools.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The native floor of {@code bench e2e}: {@code bench/native_floor.c}, the same global magnitude prune of a
 * SafeTensors file with BF16/F16 weights written as a small C program (the same bytes out, the same durability:
 * direct I/O, fsync, rename), compiled here with the machine's C compiler. Beside it the JVM's share of a prune's
 * time shows: what {@code cp} cannot say, since it never brings the bytes into a process.
 */
final class NativeFloor {
    /** The source's name, in {@code bench/} of the project. */
    static final String SOURCE = "native_floor.c";

    private NativeFloor() {
    }

    /**
     * Compiles {@code source} into {@code dir} with {@code cc} ({@code -O3 -march=native -fopenmp}).
     *
     * @return the program
     * @throws IOException saying why not: no compiler, or what it printed
     */
    static Path compile(String cc, Path source, Path dir) throws IOException, InterruptedException {
        Path exe = dir.resolve("native_floor");
        ProcessBuilder pb = new ProcessBuilder(cc, "-O3", "-march=native", "-fopenmp", "-o", exe.toString(),
                source.toString()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("no C compiler '" + cc + "' (" + e.getMessage() + ")");
        }
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(cc + " did not finish compiling " + source + " within 5 minutes");
        }
        if (p.exitValue() != 0 || !Files.isExecutable(exe)) {
            throw new IOException(cc + " could not compile " + source + ": "
                    + out.substring(Math.max(0, out.length() - 400)));
        }
        return exe;
    }

    /** The command line that prunes {@code in} into {@code out}. */
    static List<String> command(Path exe, Path in, Path out, double sparsity) {
        return List.of(exe.toString(), in.toString(), out.toString(), Double.toString(sparsity));
    }
}
