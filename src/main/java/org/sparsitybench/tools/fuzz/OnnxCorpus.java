package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.tools.fuzz.Bytes.floatBytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.GEMM;
import static org.sparsitybench.tools.fuzz.OnnxModels.W_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.externalW;
import static org.sparsitybench.tools.fuzz.OnnxModels.files;
import static org.sparsitybench.tools.fuzz.OnnxModels.model;
import static org.sparsitybench.tools.fuzz.OnnxModels.withW;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.tools.fuzz.ByteMutations.Mutation;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/**
 * Damaged ONNX files: byte-level damage to valid models (truncation, flips, varint and length-prefix damage,
 * insertions, deletions, duplicated runs), structure-aware damage built with the protobuf builders (negative and
 * overflowing dims, absurd size claims, raw and typed data of the wrong length, unknown data types, sparse
 * tensors with bad indices, Constant nodes, subgraphs nested up to 100,000 deep, invalid UTF-8 names, random
 * rewiring, random tensors) and external data (valid, escaping through {@code ..}, absolute paths and symlinks,
 * bad offsets and lengths). A loaded model must also decode every real-numeric tensor of up to a million
 * elements and give its statistics.
 */
public final class OnnxCorpus implements Corpus {
    private static final long READ_LIMIT = 1_000_000;

    /** A valid model (and its side files) that byte-level damage starts from. */
    public record ByteBase(String name, byte[] model, Map<String, byte[]> sidecars) {
    }

    private final List<ByteBase> bases;

    /** The built-in bases only: the Gemm model, inline and with external data. */
    public OnnxCorpus() {
        this(List.of());
    }

    /** The built-in bases and {@code extra} ones (for example exported models from a test's fixtures). */
    public OnnxCorpus(List<ByteBase> extra) {
        List<ByteBase> all = new ArrayList<>(extra);
        all.add(new ByteBase("gemm", GEMM.toByteArray(), Map.of()));
        all.add(new ByteBase("gemm-external", withW(externalW("location", "w.bin")).toByteArray(),
                Map.of("w.bin", floatBytes(W_VALUES))));
        this.bases = List.copyOf(all);
    }

    @Override
    public String format() {
        return "onnx";
    }

    @Override
    public void catalogue(Cases cases, Sandbox sandbox) {
        byteCases(cases);
        structureCases(cases);
        externalCases(cases, sandbox);
    }

    /** Family 1: each base unchanged, then each byte-level mutator applied to each base with its own seed. */
    public void byteCases(Cases into) {
        OnnxByteDamage.add(new OnnxCases(into), bases);
    }

    /** Models built whole with one part damaged (dims, sizes, data types, sparse, Constant, subgraphs, names). */
    public void structureCases(Cases into) {
        OnnxCases cases = new OnnxCases(into);
        cases.add("baseline", "valid Gemm model", Expect.LOAD, GEMM);
        OnnxTensorCases.add(cases);
        OnnxSparseCases.add(cases);
        OnnxGraphCases.add(cases);
        OnnxRandomTensorCases.add(cases);
    }

    /**
     * External data: valid locations, escapes through {@code ..}, absolute paths and symlinks (which must fail
     * with UnsafePathException naming the model file), and other damage (bad offsets, lengths, files).
     */
    public void externalCases(Cases into, Sandbox sandbox) {
        OnnxExternalCases.add(new OnnxCases(into), floatBytes(W_VALUES), sandbox.secret(), sandbox.outside());
    }

    @Override
    public FuzzCase random(int index, long seed, Sandbox sandbox) {
        Random r = new Random(seed);
        Cases one = new Cases();
        OnnxCases cases = new OnnxCases(one);
        int kind = r.nextInt(10);
        if (kind < 4) {
            ByteBase b = bases.get(r.nextInt(bases.size()));
            Mutation mu = kind == 0 ? OnnxByteDamage.varintDamage(b.model(), OnnxByteDamage.lengthPrefixes(b.model()), r, 3 + r.nextInt(1000))
                    : ByteMutations.any(b.model(), r);
            cases.add("random-bytes", seed, b.name() + " " + mu.what(), mu.bytes().length == 0 ? Expect.REJECT
                    : Expect.EITHER, files(mu.bytes(), b.sidecars()));
        } else if (kind < 6) {
            OnnxRandomTensorCases.Built b = OnnxRandomTensorCases.fuzzTensor(r);
            cases.add("random-tensor", seed, b.what(), Expect.EITHER, files(b.model().toByteArray(), b.files()));
        } else if (kind < 8) {
            cases.add("random-rewire", seed, "random ops, inputs and attributes", Expect.EITHER, model(OnnxGraphCases.rewired(r)));
        } else {
            OnnxExternalCases.randomLocation(cases, seed, r, sandbox);
        }
        FuzzCase c = one.list().get(0);
        return new FuzzCase(c.generator(), index, c.seed(), c.detail(), c.expect(), c.setup());
    }

    /** Reads the file, then every real-numeric tensor of up to a million elements; never throws. */
    @Override
    public Outcome attempt(FuzzCase c, Path file) {
        Model model;
        try {
            model = new OnnxReader().read(file);
        } catch (Throwable t) {
            return Outcome.failed(t);
        }
        for (WeightTensor t : model.tensors()) {
            if (t.dtype().isNumericReal() && t.elementCount() <= READ_LIMIT) {
                try {
                    float[] values = t.data().readAllFloats();
                    if (values.length != t.elementCount()) {
                        throw new IllegalStateException("readAllFloats returned " + values.length + " values for "
                                + t.elementCount() + " elements");
                    }
                    t.stats();
                } catch (Throwable e) {
                    return new Outcome(e, "reading the values of tensor '" + t.name() + "' " + t.dtype()
                            + t.shapeString(), model.tensors().size() + " tensors");
                }
            }
        }
        return Outcome.loaded(model.tensors().size() + " tensors");
    }
}
