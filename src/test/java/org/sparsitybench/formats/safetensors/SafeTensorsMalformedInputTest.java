package org.sparsitybench.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.tools.fuzz.Cases;
import org.sparsitybench.tools.fuzz.FuzzAssert;
import org.sparsitybench.tools.fuzz.FuzzReport;
import org.sparsitybench.tools.fuzz.FuzzRunner;
import org.sparsitybench.tools.fuzz.SafeTensorsCorpus;

/**
 * Feeds the reader thousands of deterministically damaged files from {@link SafeTensorsCorpus}: each must either
 * load (and then every tensor must decode) or fail with a ModelFormatException naming the file; nothing else may
 * escape, no input may change.
 */
class SafeTensorsMalformedInputTest {
    @TempDir
    Path dir;

    @Test
    void thousandsOfDamagedFilesEitherLoadOrFailWithModelFormatException() throws IOException {
        SafeTensorsCorpus corpus = new SafeTensorsCorpus();
        Cases cases = new Cases();
        try (FuzzRunner runner = new FuzzRunner(dir, 20_000)) {
            corpus.catalogue(cases, runner.sandbox());
            assertTrue(cases.size() >= 2000, "only " + cases.size() + " cases");
            FuzzReport r = FuzzAssert.allKeepTheContract(runner, corpus, cases.list());
            assertTrue(r.loaded() > 100 && r.loaded() < cases.size() - 1000, r.loaded() + " of " + cases.size()
                    + " loaded");
        }
    }
}
