package org.sparsitybench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.render.ViewRenderer;

/** {@code sparsitybench render} through the packaged script, headless, as a user or a CI job runs it. */
class RenderScriptIT {
    @TempDir
    Path dir;

    @Test
    void thePackagedCommandRendersEveryViewWithoutADisplay() throws Exception {
        Path script = Fixtures.projectDir().resolve("packaging/bin/sparsitybench");
        Path model = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        Path shots = dir.resolve("shots");
        ProcessBuilder pb = new ProcessBuilder(List.of(script.toString(), "render", model.toString(),
                "--out", shots.toString(), "--limit", "100", "--latency-runs", "0")).directory(dir.toFile());
        pb.environment().remove("DISPLAY");
        pb.environment().put("JAVA_OPTS", "-Xmx512m");
        pb.environment().put("SPARSITYBENCH_TARGET", System.getProperty("sb.targetDir",
                Fixtures.projectDir().resolve("target").toString()));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "render finished");
        assertEquals(0, p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
        for (String view : ViewRenderer.VIEWS) {
            Path png = shots.resolve(view + "-light.png");
            assertEquals(ViewRenderer.WIDTH, ImageIO.read(png.toFile()).getWidth(), png.toString());
        }
    }
}
