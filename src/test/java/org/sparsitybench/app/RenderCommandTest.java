package org.sparsitybench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.render.ViewRenderer;

/** {@code sparsitybench render} through the command line the launcher builds. */
class RenderCommandTest {
    @TempDir
    Path dir;

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return SparsityBenchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new RenderCommand());
    }

    @Test
    void rendersEveryViewOfTheDigitsSampleInTheDarkTheme() throws Exception {
        Path model = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(out, err, "render", model.toString(), "--out", dir.toString(), "--theme", "dark",
                "--sparsity", "0.3", "--limit", "100", "--latency-runs", "0");
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        for (String view : ViewRenderer.VIEWS) {
            Path png = dir.resolve(view + "-dark.png");
            assertTrue(text.contains(png.toString()), text);
            assertEquals(ViewRenderer.WIDTH, ImageIO.read(png.toFile()).getWidth());
        }
        assertTrue(text.contains("digits-mlp at 30.0% achieved sparsity"), text);
    }

    @Test
    void anUnknownThemeIsAUsageErrorAndWritesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path model = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        Path target = dir.resolve("shots");
        int code = run(out, err, "render", model.toString(), "--out", target.toString(), "--theme", "sepia");
        assertEquals(SparsityBenchCli.EXIT_USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--theme sepia"), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.notExists(target));
    }

    @Test
    void theDeprecatedModelOptionStillNamesTheModel() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path missing = dir.resolve("missing.onnx");
        // The old spelling reaches the model check: the error names the file it was given.
        int code = run(out, err, "render", "--model", missing.toString(), "--out", dir.resolve("shots").toString());
        assertEquals(SparsityBenchCli.EXIT_USAGE, code);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("--model is deprecated"), e);
        assertTrue(e.contains(missing + ": no such model file"), e);
    }

    @Test
    void theModelGivenTwiceOrNotAtAllIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path model = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        assertEquals(SparsityBenchCli.EXIT_USAGE, run(new ByteArrayOutputStream(), err, "render", model.toString(),
                "--model", model.toString(), "--out", dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not both"), err.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(SparsityBenchCli.EXIT_USAGE, run(new ByteArrayOutputStream(), err2, "render", "--out",
                dir.toString()));
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("missing the model"), err2.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theRenderCommandIsListedInTheHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, run(out, new ByteArrayOutputStream(), "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("render"), out.toString(StandardCharsets.UTF_8));
    }
}
