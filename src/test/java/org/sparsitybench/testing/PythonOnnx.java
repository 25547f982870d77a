package org.sparsitybench.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads a written ONNX file back with Python's {@code onnx} package (Debian's python3-onnx), independently of the
 * project's reader: the checker's verdict, every tensor's shape and non-zero count (dense, sparse, Constant,
 * subgraph), node attributes, and where external data points. Tests using it are skipped only when
 * {@code /usr/bin/python3} cannot import {@code onnx}; {@code .ci/run} installs it.
 */
public final class PythonOnnx {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static Boolean available;

    private static final String SCRIPT = """
            import json, os, sys
            import numpy as np
            import onnx
            from onnx import numpy_helper
            path = sys.argv[1]
            m = onnx.load(path, load_external_data=False)
            folder = os.path.dirname(os.path.abspath(path))
            out = {"tensors": {}, "sparse": [], "nodes": {}, "external": {}}
            def ext(t):
                d = {e.key: e.value for e in t.external_data}
                loc = d["location"]
                out["external"].setdefault(loc, []).append([int(d.get("offset", 0)), int(d["length"]), t.name])
            def graph(g, where):
                for t in g.initializer:
                    if t.data_location == onnx.TensorProto.EXTERNAL:
                        ext(t)
                for s in g.sparse_initializer:
                    out["sparse"].append(s.values.name)
                for n in g.node:
                    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute
                             if a.type == onnx.AttributeProto.INT}
                    out["nodes"][n.name] = {"op": n.op_type, "attrs": attrs, "where": where}
                    for a in n.attribute:
                        if a.type == onnx.AttributeProto.GRAPH:
                            graph(a.g, where + "/" + n.name)
                        if a.type == onnx.AttributeProto.TENSOR and a.t.data_location == onnx.TensorProto.EXTERNAL:
                            ext(a.t)
            graph(m.graph, "")
            onnx.load_external_data_for_model(m, folder) if out["external"] else None
            onnx.checker.check_model(m)
            def values(g, where):
                for t in g.initializer:
                    a = numpy_helper.to_array(t)
                    out["tensors"][t.name] = {"shape": list(a.shape), "nonZeros": int(np.count_nonzero(a)), "where": where}
                for s in g.sparse_initializer:
                    a = numpy_helper.to_array(s.values)
                    out["tensors"][s.values.name] = {"shape": list(s.dims), "nonZeros": int(np.count_nonzero(a)),
                                                     "where": where, "sparse": True}
                for n in g.node:
                    for a in n.attribute:
                        if n.op_type == "Constant" and a.name == "value":
                            v = numpy_helper.to_array(a.t)
                            out["tensors"][n.output[0]] = {"shape": list(v.shape), "nonZeros": int(np.count_nonzero(v)),
                                                           "where": where, "constant": True}
                        if n.op_type == "Constant" and a.name == "sparse_value":
                            v = numpy_helper.to_array(a.sparse_tensor.values)
                            out["tensors"][n.output[0]] = {"shape": list(a.sparse_tensor.dims),
                                                           "nonZeros": int(np.count_nonzero(v)), "where": where,
                                                           "constant": True, "sparse": True}
                        if a.type == onnx.AttributeProto.GRAPH:
                            values(a.g, where + "/" + n.name)
            values(m.graph, "")
            out["dataFiles"] = {loc: os.path.getsize(os.path.join(folder, loc)) for loc in out["external"]}
            print(json.dumps(out))
            """;

    private PythonOnnx() {
    }

    /** Skips the calling test unless {@code /usr/bin/python3} can import {@code onnx}. */
    public static void assumeAvailable() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import onnx, numpy").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                available = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
        }
        assumeTrue(available, "/usr/bin/python3 cannot import onnx (Debian: python3-onnx)");
    }

    /**
     * The file as Python's onnx reads it: {@code {"tensors": {name: {shape, nonZeros, where, sparse?, constant?}},
     * "sparse": [...], "nodes": {name: {op, attrs, where}}, "external": {location: [[offset, length, tensor]]},
     * "dataFiles": {location: bytes}}}; fails the test when {@code onnx.checker} rejects the model.
     */
    public static JsonNode read(Path model) throws IOException, InterruptedException {
        assumeAvailable();
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", SCRIPT, model.toAbsolutePath().toString()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("python onnx could not read " + model + ": " + new String(err, StandardCharsets.UTF_8));
        }
        return new ObjectMapper().readTree(out);
    }

    /** The repository's third-party-shape fixtures (see their make_fixtures.py). */
    public static Path fixture(String name) {
        return Fixtures.projectDir().resolve("src/test/resources/fixtures/thirdparty").resolve(name);
    }

    /** Copies a fixture (and its external data file, if any) into {@code dir}. */
    public static Path copy(String name, Path dir) throws IOException {
        Path to = dir.resolve(name);
        Files.copy(fixture(name), to);
        Path data = fixture(name + ".data");
        if (Files.exists(data)) {
            Files.copy(data, dir.resolve(name + ".data"));
        }
        return to;
    }
}
