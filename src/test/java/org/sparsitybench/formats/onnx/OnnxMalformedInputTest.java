package org.sparsitybench.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.tools.fuzz.Cases;
import org.sparsitybench.tools.fuzz.Expect;
import org.sparsitybench.tools.fuzz.FuzzAssert;
import org.sparsitybench.tools.fuzz.FuzzCase;
import org.sparsitybench.tools.fuzz.FuzzReport;
import org.sparsitybench.tools.fuzz.FuzzRunner;
import org.sparsitybench.tools.fuzz.OnnxCorpus;
import org.sparsitybench.testing.Fixtures;

/**
 * Feeds {@link OnnxReader} thousands of deterministically damaged ONNX files from {@link OnnxCorpus} (byte-level
 * damage to the torch-exported fixtures and the Gemm model, structure-aware damage, external-data escapes). The
 * contract: every file either loads or fails with a ModelFormatException naming the model file (path escapes: an
 * UnsafePathException); never another exception, an Error, or a hang; after a load every real-numeric tensor of up
 * to a million elements decodes; no input file is modified and no file outside the case's folder is opened.
 *
 * <p>Every case is named {@code generator#index seed=S (what)}; {@link OnnxCorpus} rebuilds it.
 */
class OnnxMalformedInputTest {
    private static final String[] FIXTURES = {"mlp", "cnn", "cnn_bn", "matmul", "lstm", "embed"};

    @TempDir
    Path tmp;

    private static OnnxCorpus corpus() throws IOException {
        List<OnnxCorpus.ByteBase> fixtures = new ArrayList<>();
        for (String f : FIXTURES) {
            fixtures.add(new OnnxCorpus.ByteBase(f + ".onnx", Files.readAllBytes(Fixtures.torch(f + ".onnx")), Map.of()));
        }
        return new OnnxCorpus(fixtures);
    }

    @Test
    void everyTruncatedFlippedOrSplicedFileLoadsOrFailsWithTypedError() throws IOException {
        OnnxCorpus corpus = corpus();
        Cases cases = new Cases();
        corpus.byteCases(cases);
        assertTrue(cases.size() >= 2000, "only " + cases.size() + " byte-level cases");
        FuzzReport r = FuzzAssert.allKeepTheContract(corpus, cases.list(), tmp);
        assertEquals(8, r.perGenerator().get("pristine")[1], "every base loads unchanged");
    }

    @Test
    void everyStructurallyDamagedModelLoadsOrFailsWithTypedError() throws IOException {
        OnnxCorpus corpus = corpus();
        Cases cases = new Cases();
        corpus.structureCases(cases);
        assertTrue(cases.list().stream().anyMatch(c -> c.expect() == Expect.LOAD)
                && cases.list().stream().anyMatch(c -> c.expect() == Expect.REJECT), "both outcomes are pinned");
        FuzzAssert.allKeepTheContract(corpus, cases.list(), tmp);
    }

    @Test
    void externalDataOutsideTheModelFolderIsRefusedAsUnsafeAndOtherExternalDamageFailsTyped() throws IOException {
        OnnxCorpus corpus = corpus();
        try (FuzzRunner runner = new FuzzRunner(tmp, 20_000)) {
            Cases cases = new Cases();
            corpus.externalCases(cases, runner.sandbox());
            List<FuzzCase> unsafe = cases.list().stream().filter(c -> c.expect() == Expect.UNSAFE).toList();
            assertTrue(unsafe.size() >= 20, unsafe.size() + " escape cases");
            FuzzReport r = FuzzAssert.allKeepTheContract(runner, corpus, cases.list());
            assertEquals(0, r.escapes(), "no canary outside a case's folder was opened");
        }
    }
}
