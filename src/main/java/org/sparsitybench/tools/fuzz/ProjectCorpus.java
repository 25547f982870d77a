package org.sparsitybench.tools.fuzz;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparsitybench.project.ProjectFiles;

/**
 * Damaged {@code .sbproj} projects (JSON) beside a valid model: tiny files, fields of the wrong type or value,
 * absurd numbers, model references that escape the folder through {@code ..}, absolute paths, symlinks, devices
 * and FIFOs, invalid UTF-8, JSON nested 100,000 deep, character-level edits and byte-level damage. A project may
 * name a model anywhere (that is what it is for), so escaping references are not errors in themselves; but the
 * canaries outside must not be opened: a reference to something that is not a regular file must be refused
 * unopened.
 */
public final class ProjectCorpus implements Corpus {
    private static final String FILE = "p.sbproj";
    private static final byte[] MODEL = OnnxModels.GEMM.toByteArray();
    private static final String CONFIG = "{\"global\":{\"target\":0.5,\"method\":\"magnitude\",\"allocation\":\"uniform\","
            + "\"seed\":0},\"layers\":{\"W\":{\"excluded\":false}}}";
    private static final String GOOD = project("\"model.onnx\"", "\"" + Bytes.sha256(MODEL) + "\"", CONFIG,
            "[{\"name\":\"half\",\"config\":" + CONFIG + ",\"achieved\":0.5,\"accuracy\":0.9,\"loss\":0.3}]");

    private static String project(String model, String sha, String config, String snapshots) {
        return "{\"format\":\"sparsitybench-project\",\"version\":1,\"model\":" + model + ",\"modelSha256\":" + sha
                + ",\"dataset\":\"data/set-images-idx3-ubyte\",\"config\":" + config + ",\"snapshots\":" + snapshots + "}";
    }

    @Override
    public String format() {
        return "sbproj";
    }

    private static CaseSetup setup(byte[] project) {
        return Bytes.files(FILE, project, Map.of("model.onnx", MODEL, "sub/model.onnx", MODEL));
    }

    private static void add(Cases cases, String generator, long seed, String detail, String json, Expect expect) {
        cases.add(generator, seed, detail, expect, setup(json.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code GOOD} with one top-level field's JSON value replaced (null value: field removed). */
    private static String with(String field, String value) {
        String[] fields = {"format", "version", "model", "modelSha256", "dataset", "config", "snapshots"};
        String[] values = {"\"sparsitybench-project\"", "1", "\"model.onnx\"", "\"" + Bytes.sha256(MODEL) + "\"",
            "\"data/set-images-idx3-ubyte\"", CONFIG, "[]"};
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < fields.length; i++) {
            String v = fields[i].equals(field) ? value : values[i];
            if (v != null) {
                sb.append(sb.length() > 1 ? "," : "").append('"').append(fields[i]).append("\":").append(v);
            }
        }
        return sb.append('}').toString();
    }

    @Override
    public void catalogue(Cases cases, Sandbox sandbox) {
        add(cases, "pristine", -1, "valid project", GOOD, Expect.LOAD);
        add(cases, "pristine", -1, "model sub/../model.onnx", with("model", "\"sub/../model.onnx\""), Expect.LOAD);
        add(cases, "pristine", -1, "model hash differs (reported, not refused)", with("modelSha256", "\"00\""),
                Expect.LOAD);
        add(cases, "pristine", -1, "no snapshots, no dataset", with("dataset", null), Expect.LOAD);
        for (String bytes : new String[] {"", "{", "}", "[", "n", "\u00ff"}) {
            add(cases, "tiny", -1, "file '" + bytes + "'", bytes, Expect.REJECT);
        }
        Map<String, List<String>> values = Map.of(
                "format", List.of("null", "1", "\"sparsitybench-project \"", "\"\"", "[]", "{}"),
                "version", List.of("2", "-1", "2147483648", "9223372036854775808", "1e999", "\"1\"", "1.5", "null",
                        "[]", "NaN"),
                "config", List.of("null", "{}", "[]", "1", "{\"global\":null}", "{\"global\":{\"target\":-1}}",
                        "{\"global\":{\"target\":2}}", "{\"global\":{\"target\":\"NaN\"}}",
                        "{\"global\":{\"target\":0.5,\"method\":\"\"}}",
                        "{\"global\":{\"target\":0.5,\"allocation\":\"nope\"}}",
                        "{\"global\":{\"target\":0.5,\"nmPattern\":\"2:0\"}}",
                        "{\"global\":{\"target\":0.5,\"nmPattern\":\"99999999999:1\"}}",
                        "{\"global\":{\"target\":0.5},\"layers\":{\"W\":null}}",
                        "{\"global\":{\"target\":0.5},\"layers\":[]}",
                        "{\"global\":{\"target\":0.5},\"layers\":{\"W\":{\"sparsity\":1e999}}}",
                        "{\"global\":{\"target\":0.5,\"seed\":1e30}}", "{\"global\":{\"target\":0.5},\"unknown\":1}"),
                "snapshots", List.of("null", "{}", "[null]", "[1]", "[{}]", "[{\"name\":null,\"config\":null}]",
                        "[{\"name\":\"s\",\"config\":" + CONFIG + ",\"achieved\":\"x\"}]"),
                "modelSha256", List.of("null", "1", "\"zz\"", "[]", "\"" + "f".repeat(100_000) + "\""),
                "dataset", List.of("null", "1", "\"../../etc/passwd\"", "\"\\u0000\"", "\"/dev/zero\""));
        for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(values).entrySet()) {
            for (String v : e.getValue()) {
                add(cases, "field-" + e.getKey(), -1, e.getKey() + " = " + abbreviate(v), with(e.getKey(), v),
                        Expect.EITHER);
            }
            add(cases, "field-" + e.getKey(), -1, e.getKey() + " missing", with(e.getKey(), null), Expect.EITHER);
        }
        // Model references: never a canary opened, never a device read.
        String[] refs = {"\"../x.bin\"", "\"../../x.bin\"", "\"sub/../../x.bin\"", "\"" + sandbox.secret() + "\"",
            "\"/dev/zero\"", "\"/dev/urandom\"", "\"/proc/self/fd/0\"", "\"fifo.onnx\"", "\"link.onnx\"", "\"dirlink\"",
            "\"\"", "\".\"", "\"..\"", "\"/\"", "\"missing.onnx\"", "\"model.onnx\\u0000.txt\"", "null", "1", "[]",
            "\"sub\""};
        for (String ref : refs) {
            cases.add("model-ref", "model " + ref, ref.equals("\"link.onnx\"") || ref.equals("\"sub\"")
                    || ref.equals("\"dirlink\"") || ref.equals("\".\"") || ref.equals("\"/\"") || ref.equals("\"..\"")
                    || ref.startsWith("\"/dev") || ref.contains("x.bin")
                    || ref.contains("secret") || ref.contains("fifo") ? Expect.REJECT : Expect.EITHER, dir -> {
                        Path p = setup(with("model", ref).getBytes(StandardCharsets.UTF_8)).create(dir);
                        Files.createSymbolicLink(dir.resolve("link.onnx"), sandbox.secret());
                        Files.createSymbolicLink(dir.resolve("dirlink"), sandbox.outside());
                        mkfifo(dir.resolve("fifo.onnx"));
                        return p;
                    });
        }
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        add(cases, "nesting", -1, "snapshots nested 100000 deep", with("snapshots", deep), Expect.REJECT);
        add(cases, "nesting", -1, "config nested 100000 deep", with("config", "{\"a\":".repeat(100_000) + "1"
                + "}".repeat(100_000)), Expect.REJECT);
        add(cases, "nesting", -1, "unknown field nested 2000 deep", GOOD.substring(0, GOOD.length() - 1)
                + ",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}", Expect.EITHER);
        byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF},
            {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}};
        byte[] good = GOOD.getBytes(StandardCharsets.UTF_8);
        int at = GOOD.indexOf("model.onnx") + 2;
        for (byte[] b : bad) {
            cases.add("utf8", "bytes " + java.util.Arrays.toString(b) + " in the model name", Expect.EITHER,
                    setup(Bytes.splice(good, at, 0, b)));
            cases.add("utf8", "bytes " + java.util.Arrays.toString(b) + " before the document", Expect.EITHER,
                    setup(Bytes.concat(b, good)));
        }
        cases.add("utf8", "UTF-16 encoded", Expect.EITHER, setup(GOOD.getBytes(StandardCharsets.UTF_16)));
        for (int i = 0; i < 300; i++) {
            long seed = 9_000_000L + i;
            textEdit(cases, seed, new Random(seed));
        }
        int g = 0;
        for (ByteMutations.Named m : ByteMutations.ALL) {
            g++;
            for (int i = 0; i < 60; i++) {
                long seed = 9_100_000L + 1_000L * g + i;
                ByteMutations.Mutation mu = m.mutator().apply(good, List.of(), new Random(seed), i);
                cases.add(m.name(), seed, mu.what(), mu.bytes().length == 0 ? Expect.REJECT : Expect.EITHER,
                        setup(mu.bytes()));
            }
        }
    }

    private static void textEdit(Cases cases, long seed, Random r) {
        String junk = "{}[]\",:0123456789-.eE tfn\\";
        StringBuilder s = new StringBuilder(GOOD);
        int edits = 1 + r.nextInt(3);
        StringBuilder what = new StringBuilder();
        for (int k = 0; k < edits; k++) {
            int at = r.nextInt(s.length());
            switch (r.nextInt(3)) {
                case 0 -> {
                    s.deleteCharAt(at);
                    what.append(" deleted ").append(at);
                }
                case 1 -> {
                    int len = 1 + r.nextInt(Math.min(20, s.length() - at));
                    s.insert(at, s.substring(at, at + len));
                    what.append(" duplicated ").append(len).append(" at ").append(at);
                }
                default -> {
                    s.insert(at, junk.charAt(r.nextInt(junk.length())));
                    what.append(" inserted at ").append(at);
                }
            }
        }
        add(cases, "text-edit", seed, "text" + what, s.toString(), Expect.EITHER);
    }

    @Override
    public FuzzCase random(int index, long seed, Sandbox sandbox) {
        Random r = new Random(seed);
        Cases one = new Cases();
        if (r.nextBoolean()) {
            textEdit(one, seed, r);
        } else {
            ByteMutations.Mutation mu = ByteMutations.any(GOOD.getBytes(StandardCharsets.UTF_8), r);
            one.add("random-bytes", seed, mu.what(), mu.bytes().length == 0 ? Expect.REJECT : Expect.EITHER,
                    setup(mu.bytes()));
        }
        FuzzCase c = one.list().get(0);
        return new FuzzCase("random-" + c.generator(), index, seed, c.detail(), c.expect(), c.setup());
    }

    @Override
    public Outcome attempt(FuzzCase c, Path file) {
        try {
            ProjectFiles.Opened opened = ProjectFiles.read(file);
            return Outcome.loaded("project for " + opened.model().getFileName()
                    + (opened.modelChanged() ? " (model changed)" : ""));
        } catch (Throwable t) {
            return Outcome.failed(t);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "... (" + s.length() + " chars)";
    }

    private static void mkfifo(Path p) throws java.io.IOException {
        try {
            Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
            proc.getInputStream().readAllBytes();
            proc.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(p); // no mkfifo: a directory is still not a regular file
        }
    }
}
