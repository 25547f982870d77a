package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sparsitybench inspect MODEL [--json]}: every tensor with its shape, type, zeros and prunability. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List a model's tensors: op, shape, dtype, parameters, zeros and whether they are prunable.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx or .safetensors file.")
    Path model;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = ModelFiles.read(model);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(m));
        } else {
            printTable(m, out);
        }
        out.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    static String toJson(Model m) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("format", m.format().id());
        root.put("file", m.file().toString());
        ArrayNode tensors = root.putArray("tensors");
        long zeros = 0;
        for (WeightTensor t : m.tensors()) {
            ObjectNode o = tensors.addObject();
            o.put("name", t.name());
            o.put("op", t.op());
            o.put("node", t.node());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.put("dtype", t.dtype().displayName());
            o.put("params", t.elementCount());
            o.put("zeros", t.stats().zeros());
            o.put("nonFinite", t.stats().nonFinite());
            o.put("prunable", t.prunable());
            if (t.prunable()) {
                o.put("pruneAxis", t.pruneAxis());
            } else {
                o.putNull("pruneAxis");
            }
            zeros += t.stats().zeros();
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("params", m.totalParams());
        totals.put("prunableParams", m.prunableParams());
        totals.put("zeros", zeros);
        return mapper.writeValueAsString(root);
    }

    static void printTable(Model m, PrintWriter out) {
        List<WeightTensor> ts = m.tensors();
        int nameW = Math.max(4, ts.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        int opW = Math.max(2, ts.stream().mapToInt(t -> t.op().length()).max().orElse(2));
        int shapeW = Math.max(5, ts.stream().mapToInt(t -> t.shapeString().length()).max().orElse(5));
        nameW = Math.min(nameW, 60);
        String fmt = "%-" + nameW + "s  %-" + opW + "s  %-" + shapeW + "s  %-8s  %12s  %7s  %s%n";
        out.printf(Locale.ROOT, "%s (%s)%n", m.file(), m.format().id());
        out.printf(Locale.ROOT, fmt, "name", "op", "shape", "dtype", "params", "zeros", "prunable");
        long zeros = 0;
        for (WeightTensor t : ts) {
            long z = t.stats().zeros();
            zeros += z;
            String pct = t.elementCount() == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * z / t.elementCount());
            String prunable = t.prunable() ? "yes (axis " + t.pruneAxis() + ")" : "no";
            if (t.stats().nonFinite() > 0) {
                prunable += ", " + t.stats().nonFinite() + " NaN/Inf";
            }
            String name = t.name().length() > nameW ? "…" + t.name().substring(t.name().length() - nameW + 1) : t.name();
            out.printf(Locale.ROOT, fmt, name, t.op(), t.shapeString(), t.dtype().displayName(),
                    String.format(Locale.ROOT, "%,d", t.elementCount()), pct, prunable);
        }
        long total = m.totalParams();
        out.printf(Locale.ROOT, "%d tensors, %,d parameters, %,d prunable (%.1f%%), %,d zeros (%.1f%%)%n",
                ts.size(), total, m.prunableParams(), total == 0 ? 0.0 : 100.0 * m.prunableParams() / total,
                zeros, total == 0 ? 0.0 : 100.0 * zeros / total);
    }
}
