package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor;
import static org.sparsitybench.tools.fuzz.Bytes.concat;
import static org.sparsitybench.tools.fuzz.Bytes.floatBytes;
import static org.sparsitybench.tools.fuzz.Bytes.longBytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.INT64;
import static org.sparsitybench.tools.fuzz.OnnxModels.W_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.externalW;
import static org.sparsitybench.tools.fuzz.OnnxModels.files;
import static org.sparsitybench.tools.fuzz.OnnxModels.ifNode;
import static org.sparsitybench.tools.fuzz.OnnxModels.kv;
import static org.sparsitybench.tools.fuzz.OnnxModels.leafGraph;
import static org.sparsitybench.tools.fuzz.OnnxModels.tensor;
import static org.sparsitybench.tools.fuzz.OnnxModels.withConstantW;
import static org.sparsitybench.tools.fuzz.OnnxModels.withMainNode;
import static org.sparsitybench.tools.fuzz.OnnxModels.withSparseW;
import static org.sparsitybench.tools.fuzz.OnnxModels.withW;
import static org.sparsitybench.tools.fuzz.OnnxModels.write;

import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/**
 * Family 3: external data: valid locations, escapes through {@code ..}, absolute paths and symlinks (which must
 * fail with UnsafePathException naming the model file), and other damage (bad offsets, lengths, files).
 */
final class OnnxExternalCases {
    private OnnxExternalCases() {
    }

    static void add(OnnxCases cases, byte[] w, Path secret, Path outside) {
        Map<String, byte[]> wbin = Map.of("w.bin", w);
        // Valid external data first, so the escapes below are known to fail for the right reason.
        cases.add("external-data", "valid w.bin", Expect.LOAD, files(withW(externalW("location", "w.bin")), wbin));
        cases.add("external-data", "valid sub/w.bin", Expect.LOAD,
                files(withW(externalW("location", "sub/w.bin")), Map.of("sub/w.bin", w)));
        cases.add("external-data", "valid offset 16 length 48", Expect.LOAD, files(withW(externalW("location", "w.bin",
                "offset", "16", "length", "48")), Map.of("w.bin", concat(new byte[16], w))));
        cases.add("external-data", "valid, symlink inside the folder to w.bin", Expect.LOAD, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), wbin);
            Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("w.bin"));
            return m;
        });
        cases.add("external-data", "valid, model folder itself reached through a symlink", Expect.LOAD, dir -> {
            Path real = Files.createDirectories(outside.resolve("models").resolve(dir.getFileName().toString()));
            write(real, withW(externalW("location", "w.bin")), wbin);
            Files.createSymbolicLink(dir.resolve("m"), real);
            return dir.resolve("m").resolve("model.onnx");
        });

        // Path escapes: must be UnsafePathException naming the model file.
        String[] escapes = {"../x.bin", "../../x.bin", "sub/../../x.bin", "./../x.bin", "..", "../", "sub/../../../x.bin",
            "/etc/passwd", "//etc/passwd", "/dev/zero", "/proc/self/environ", secret.toString(),
            secret.getParent() + "/./secret.bin"};
        for (String loc : escapes) {
            cases.add("external-path", "location '" + loc + "'", Expect.UNSAFE,
                    files(withW(externalW("location", loc)), Map.of("sub/w.bin", w)));
        }
        cases.add("external-path", "symlink in the folder to a file in another temp dir", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), secret);
            return m;
        });
        cases.add("external-path", "relative symlink in the folder to a file in another temp dir", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), dir.relativize(secret));
            return m;
        });
        cases.add("external-path", "symlinked directory to another temp dir", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "ext/secret.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("ext"), secret.getParent());
            return m;
        });
        cases.add("external-path", "symlink chain a.bin -> b.bin -> outside", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "a.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("b.bin"), secret);
            Files.createSymbolicLink(dir.resolve("a.bin"), Path.of("b.bin"));
            return m;
        });
        cases.add("external-path", "symlink to /etc/passwd", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("/etc/passwd"));
            return m;
        });
        cases.add("external-path", "symlink to the folder's parent, then x.bin", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "up/x.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("up"), Path.of(".."));
            return m;
        });
        cases.add("external-path", "Constant node with location ../x.bin", Expect.UNSAFE,
                files(withConstantW(externalW("location", "../x.bin").toBuilder().clearName().build()), Map.of()));
        cases.add("external-path", "sparse values with location ../x.bin", Expect.UNSAFE, files(withSparseW(
                SparseTensorProto.newBuilder().setValues(externalW("location", "../x.bin").toBuilder().clearDims().addDims(12))
                        .setIndices(int64Tensor("", new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12)).addDims(3).addDims(4)),
                Map.of()));
        cases.add("external-path", "subgraph initializer with location ../x.bin", Expect.UNSAFE, files(withMainNode(ifNode(
                leafGraph("L").toBuilder().setInitializer(0, externalW("location", "../x.bin").toBuilder().setName("L")).build(),
                "If")), Map.of()));
        cases.add("external-path", "location ../x.bin with data_type string", Expect.UNSAFE,
                files(withW(externalW("location", "../x.bin").toBuilder().setDataType(8).build()), Map.of()));
        cases.add("external-path", "location /etc/passwd with length and offset", Expect.UNSAFE,
                files(withW(externalW("location", "/etc/passwd", "offset", "0", "length", "48")), Map.of()));

        // Other damage: any ModelFormatException will do.
        cases.add("external-data", "dangling symlink to another temp dir", Expect.REJECT, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), outside.resolve("missing.bin"));
            return m;
        });
        cases.add("external-data", "symlink loop", Expect.REJECT, dir -> {
            Path m = write(dir, withW(externalW("location", "a.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("a.bin"), Path.of("b.bin"));
            Files.createSymbolicLink(dir.resolve("b.bin"), Path.of("a.bin"));
            return m;
        });
        cases.add("external-data", "location missing", Expect.REJECT, files(withW(externalW("offset", "0", "length", "48")), wbin));
        cases.add("external-data", "no external_data entries at all", Expect.REJECT, files(withW(externalW()), wbin));
        cases.add("external-data", "location empty", Expect.REJECT, files(withW(externalW("location", "")), wbin));
        cases.add("external-data", "location '.'", Expect.REJECT, files(withW(externalW("location", ".")), wbin));
        cases.add("external-data", "location is a directory", Expect.REJECT,
                files(withW(externalW("location", "sub")), Map.of("sub/w.bin", w)));
        cases.add("external-data", "location nonexistent", Expect.REJECT, files(withW(externalW("location", "missing.bin")), wbin));
        cases.add("external-data", "location with NUL", Expect.REJECT, files(withW(externalW("location", "w\u0000.bin")), wbin));
        cases.add("external-data", "location '\\etc\\passwd'", Expect.REJECT, files(withW(externalW("location", "\\etc\\passwd")), wbin));
        cases.add("external-data", "location '..\\x.bin'", Expect.REJECT, files(withW(externalW("location", "..\\x.bin")), wbin));
        cases.add("external-data", "location 'C:\\x.bin'", Expect.REJECT, files(withW(externalW("location", "C:\\x.bin")), wbin));
        cases.add("external-data", "location is a FIFO", Expect.REJECT, dir -> {
            Path m = write(dir, withW(externalW("location", "fifo.bin")), Map.of());
            Path fifo = dir.resolve("fifo.bin");
            try {
                Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(fifo); // no mkfifo: a directory is still not a regular file
            }
            return m;
        });
        cases.add("external-data", "location is the model file itself", Expect.EITHER,
                files(withW(externalW("location", "model.onnx")), Map.of()));
        cases.add("external-data", "location twice (w.bin, then ../x.bin)", Expect.EITHER,
                files(withW(externalW("location", "w.bin", "location", "../x.bin")), wbin));
        String[] badNumbers = {"abc", "", " ", "1.5", "0x10", "-4", "-1", "99999999999999999999", "4.8e1", "1_0", "+-1",
            "\u0661"};
        for (String v : badNumbers) {
            cases.add("external-data", "offset '" + v + "'", v.equals("\u0661") ? Expect.EITHER : Expect.REJECT,
                    files(withW(externalW("location", "w.bin", "offset", v)), Map.of("w.bin", concat(w, new byte[8]))));
            cases.add("external-data", "length '" + v + "'", Expect.REJECT,
                    files(withW(externalW("location", "w.bin", "length", v)), wbin));
        }
        String[][] ranges = {{"49", null}, {"48", null}, {"1", null}, {"1000000", null}, {"9223372036854775807", null},
            {"9223372036854775800", "48"}, {"0", "44"}, {"0", "52"}, {"0", "0"}, {"0", "96"}, {"4", "48"},
            {"9223372036854775807", "9223372036854775807"}, {"0", "9223372036854775807"}};
        for (String[] rg : ranges) {
            List<String> kv = new ArrayList<>(List.of("location", "w.bin", "offset", rg[0]));
            if (rg[1] != null) {
                kv.add("length");
                kv.add(rg[1]);
            }
            cases.add("external-data", "48-byte w.bin, offset " + rg[0] + " length " + rg[1], Expect.REJECT,
                    files(withW(externalW(kv.toArray(new String[0]))), wbin));
        }
        cases.add("external-data", "47-byte data file", Expect.REJECT,
                files(withW(externalW("location", "w.bin")), Map.of("w.bin", Arrays.copyOf(w, 47))));
        cases.add("external-data", "empty data file", Expect.REJECT,
                files(withW(externalW("location", "w.bin")), Map.of("w.bin", new byte[0])));
        cases.add("external-data", "length ' 48 ' with spaces", Expect.EITHER,
                files(withW(externalW("location", "w.bin", "length", " 48 ")), wbin));
        cases.add("external-data", "dims claim 100 GB", Expect.REJECT, files(withW(externalW("location", "w.bin")
                .toBuilder().clearDims().addDims(25_000_000_000L).build()), wbin));
        cases.add("external-data", "dims negative", Expect.REJECT, files(withW(externalW("location", "w.bin")
                .toBuilder().clearDims().addDims(-12).build()), wbin));
        cases.add("external-data", "dims overflow", Expect.REJECT, files(withW(externalW("location", "w.bin")
                .toBuilder().clearDims().addDims(4294967296L).addDims(4294967296L).addDims(4).build()), wbin));
        cases.add("external-data", "data_type 0", Expect.REJECT,
                files(withW(externalW("location", "w.bin").toBuilder().setDataType(0).build()), wbin));
        cases.add("external-data", "data_type 999", Expect.EITHER,
                files(withW(externalW("location", "w.bin").toBuilder().setDataType(999).build()), wbin));
        cases.add("external-data", "data_type double (needs 96 bytes)", Expect.REJECT,
                files(withW(externalW("location", "w.bin").toBuilder().setDataType(11).build()), wbin));
        cases.add("external-data", "external and raw_data", Expect.EITHER,
                files(withW(externalW("location", "w.bin").toBuilder().setRawData(ByteString.copyFrom(w)).build()), wbin));
        cases.add("external-data", "external_data entries without data_location EXTERNAL", Expect.EITHER,
                files(withW(externalW("location", "../x.bin").toBuilder().clearDataLocation().setRawData(ByteString.copyFrom(w))
                        .build()), Map.of()));
        cases.add("external-data", "sparse indices external, valid", Expect.LOAD, files(withSparseW(
                SparseTensorProto.newBuilder().setValues(floatTensor("W", new float[] {1, 2, 3}, 3))
                        .setIndices(tensor("", INT64, 3).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(kv("location", "i.bin"))).addDims(3).addDims(4)),
                Map.of("i.bin", longBytes(0, 4, 11))));
        cases.add("external-data", "sparse indices external, index out of range", Expect.REJECT, files(withSparseW(
                SparseTensorProto.newBuilder().setValues(floatTensor("W", new float[] {1, 2, 3}, 3))
                        .setIndices(tensor("", INT64, 3).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(kv("location", "i.bin"))).addDims(3).addDims(4)),
                Map.of("i.bin", longBytes(0, 4, 12))));
    }

    private static final String[] ESCAPE_TARGETS = {"x.bin", "w.bin", "sub/x.bin"};

    /**
     * External data at {@code sub/}×a {@code ../}×b target: inside the folder when b ≤ a (W's bytes are there
     * under every target name, so it loads or fails typed), an escape when b > a; or an absolute path to the
     * canary outside, spelled in one of several ways.
     */
    static void randomLocation(OnnxCases cases, long seed, Random r, Sandbox sandbox) {
        byte[] w = floatBytes(W_VALUES);
        Map<String, byte[]> inside = Map.of("x.bin", w, "w.bin", w, "sub/x.bin", w, "sub/w.bin", w,
                "sub/sub/x.bin", w);
        if (r.nextInt(4) == 0) {
            String secret = sandbox.secret().toString();
            String[] spellings = {secret, "/" + secret, sandbox.outside() + "/./secret.bin",
                sandbox.outside() + "/../outside/secret.bin", sandbox.outside() + "//secret.bin"};
            String loc = spellings[r.nextInt(spellings.length)];
            cases.add("random-location", seed, "location '" + loc + "'", Expect.UNSAFE,
                    files(withW(externalW("location", loc)), inside));
            return;
        }
        int a = r.nextInt(3);
        int b = r.nextInt(4);
        StringBuilder loc = new StringBuilder(r.nextBoolean() ? "./" : "");
        loc.append("sub/".repeat(a)).append("../".repeat(b)).append(ESCAPE_TARGETS[r.nextInt(ESCAPE_TARGETS.length)]);
        boolean escapes = b > a;
        cases.add("random-location", seed, "location '" + loc + "'", escapes ? Expect.UNSAFE : Expect.EITHER,
                files(withW(externalW("location", loc.toString())), inside));
    }
}
