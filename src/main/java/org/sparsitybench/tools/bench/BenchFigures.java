package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Model.CommandSpec;

/** The small arithmetic every bench's report shares (medians, rounding, the machine's load), and its printing. */
public final class BenchFigures {
    private BenchFigures() {
    }

    /** The 1-minute load average (Linux), to tell a busy machine's figures apart; -1 when unknown. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The median of {@code values} (the mean of the middle two for an even count); {@code values} not modified. */
    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Prints {@code report} as indented JSON on the command's standard output, the one thing a bench prints there. */
    public static void print(CommandSpec spec, ObjectMapper json, JsonNode report) throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(json.writeValueAsString(report));
        out.flush();
    }

    /** {@code v} rounded half up to {@code digits} decimals. */
    public static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
