package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Why a compacted model may gain less speed than it lost parameters: on AVX-512 CPUs ONNX Runtime (MLAS's NCHWc
 * convolutions) computes in blocks of 16 channels and pads a kept count that is not a multiple of 16 back to one.
 * {@code prune --compact} and {@code finetune --compact} print the same note. Stateless.
 */
final class ChannelAlignment {
    private ChannelAlignment() {
    }

    /** Whether a channel group of a report's {@code groups} that lost channels keeps a count not a multiple of 16. */
    static boolean unalignedForAvx512(JsonNode groups) {
        for (JsonNode g : groups) {
            int kept = g.path("channels").asInt() - g.path("removed").asInt();
            if (g.path("removed").asInt() > 0 && kept % 16 != 0) {
                return true;
            }
        }
        return false;
    }

    /** The note for a compaction report's {@code groups} on this CPU, or empty when it does not apply. */
    static Optional<String> note(JsonNode groups) {
        return unalignedForAvx512(groups) && cpuHasAvx512() ? Optional.of("note: this CPU has AVX-512, where ONNX "
                + "Runtime computes convolutions in blocks of 16 channels: a kept count that is not a multiple of 16 is "
                + "padded back to one, so the compacted model gains less speed than it lost parameters "
                + "(--round-channels 16 keeps multiples of 16)") : Optional.empty();
    }

    /** Whether Linux lists {@code avx512f} among the CPU's flags (false when it cannot be told). */
    private static boolean cpuHasAvx512() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.anyMatch(l -> l.startsWith("flags") && l.contains(" avx512f"));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}
