package org.sparsitybench.tools.bench.large;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparsitybench.tools.bench.BenchFigures;

/** Report: the JSON object {@code bench large} prints, its common header and its units. */
final class LargeReport {
    private LargeReport() {
    }

    /** A new report with the machine's figures: processors, maximum heap, (Java version), load average. */
    static ObjectNode header(ObjectMapper json, boolean withJava) {
        ObjectNode o = json.createObjectNode();
        o.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        o.put("maxHeapMB", MemorySampler.mb(Runtime.getRuntime().maxMemory()));
        if (withJava) {
            o.put("java", System.getProperty("java.version"));
        }
        o.put("loadAverageAtStart", BenchFigures.loadAverage());
        return o;
    }

    /** Nanoseconds as milliseconds, to 0.1 ms. */
    static double ms(long nanos) {
        return BenchFigures.round(nanos / 1e6, 1);
    }

    static ArrayNode array(ObjectMapper json, double[] values) {
        ArrayNode a = json.createArrayNode();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }

    /** Whether {@code file} exists, its size if so, else -1. */
    static long sizeOrMinusOne(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : -1;
    }
}
