package org.sparsitybench.tools.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.testing.Fixtures;

/**
 * For 100 rejected cases of each format, the command a user would run on the file prints exactly one
 * {@code error: FILE: problem} line, no stack trace, nothing on stdout, and exits 3. Models go through
 * {@code inspect}; datasets through {@code eval MODEL --data FILE} (which opens the data before the model);
 * projects through {@code prune MODEL --config FILE}.
 */
class FuzzInspectTest {
    private static final int SAMPLE = 100;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"onnx", "safetensors", "npz", "idx", "sbproj"})
    void everyRejectedFilePrintsOneErrorLineAndExits3(String format) throws Exception {
        Corpus corpus = Corpora.byName(format);
        Path model = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        int checked = 0;
        int n = 0;
        try (FuzzRunner runner = new FuzzRunner(tmp, 20_000)) {
            Iterator<FuzzCase> cases = FuzzPlan.cases(corpus, runner.sandbox(), 2000, 11);
            while (cases.hasNext() && checked < SAMPLE) {
                FuzzCase c = cases.next();
                Path dir = Files.createDirectory(runner.sandbox().cases().resolve(String.format("%s-%06d", format, n++)));
                Path file = c.setup().create(dir);
                if (!rejected(format, file)) {
                    continue;
                }
                List<String> args = switch (format) {
                    case "onnx", "safetensors" -> List.of("inspect", file.toString());
                    case "npz", "idx" -> List.of("eval", model.toString(), "--data", file.toString(),
                            "--latency-runs", "0");
                    default -> List.of("prune", model.toString(), "--config", file.toString(), "--out",
                            tmp.resolve("pruned.onnx").toString());
                };
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = SparsityBenchCli.run(args.toArray(new String[0]), new PrintStream(out, true,
                        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
                String e = err.toString(StandardCharsets.UTF_8);
                String what = c.label() + " -> " + e;
                assertEquals(3, code, what);
                List<String> lines = e.strip().lines().toList();
                assertEquals(1, lines.size(), what);
                assertTrue(lines.get(0).startsWith("error: "), what);
                assertFalse(e.contains("\tat ") || e.contains("Caused by"), what);
                assertEquals("", out.toString(StandardCharsets.UTF_8), what);
                checked++;
            }
        }
        assertEquals(SAMPLE, checked, "rejected " + format + " cases found among " + n);
        assertFalse(Files.exists(tmp.resolve("pruned.onnx")), "no model was written for a bad project");
    }

    /** True when the product's reader refuses the file with the typed exception right when opening it. */
    private static boolean rejected(String format, Path file) {
        try {
            switch (format) {
                case "onnx", "safetensors" -> ModelFiles.read(file);
                case "npz", "idx" -> Datasets.open(file);
                default -> ProjectFiles.read(file);
            }
            return false;
        } catch (ModelFormatException e) {
            return true;
        } catch (Exception e) {
            throw new AssertionError(file + " threw " + e, e);
        }
    }
}
