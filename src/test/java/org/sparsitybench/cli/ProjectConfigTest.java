package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.project.Project;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.testing.Fixtures;

/** A project file drives the CLI as its JSON configuration does; broken projects are typed errors. */
class ProjectConfigTest {
    @TempDir
    Path dir;

    @Test
    void pruneWithAProjectGivesTheSameMasksAsWithItsConfig() throws Exception {
        Path model = dir.resolve("mlp.onnx");
        Files.copy(Fixtures.torch("mlp.onnx"), model);
        PruningConfig cfg = PruningConfig.of(GlobalSettings.of(0.6, "magnitude", Allocation.GLOBAL))
                .withLayer("2.weight", LayerSettings.locked(0.2));
        Path project = dir.resolve("p.sbproj");
        ProjectFiles.write(project, ProjectFiles.create(project, model, null, cfg,
                List.of(new Project.Snapshot("a", cfg, 0.6, 0.8, 0.5))));
        Path json = dir.resolve("c.json");
        Files.writeString(json, cfg.toJson());
        Path a = dir.resolve("a.onnx");
        Path b = dir.resolve("b.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", model.toString(), "--out", a.toString(), "--config", project.toString()).code());
        assertEquals(0, InspectCommandTest.cli("prune", model.toString(), "--out", b.toString(), "--config", json.toString()).code());
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree(dir.resolve("a.onnx.report.json").toFile()).get("masksSha256"),
                m.readTree(dir.resolve("b.onnx.report.json").toFile()).get("masksSha256"));
        ProjectFiles.Opened opened = ProjectFiles.read(project);
        assertEquals("mlp.onnx", opened.project().model(), "model path stored relative to the project");
        assertEquals(cfg, opened.project().config());
        assertEquals(1, opened.project().snapshots().size());
    }

    @Test
    void aProjectThatIsNotOneOrWhoseModelIsGoneIsATypedError() throws Exception {
        Path bad = dir.resolve("bad.sbproj");
        Files.writeString(bad, "{\"hello\": 1}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ProjectFiles.read(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        Files.writeString(bad, "{\"format\":\"sparsitybench-project\",\"version\":1,\"model\":\"gone.onnx\","
                + "\"config\":{\"global\":{\"target\":0.5}}}");
        assertThrows(ModelFormatException.class, () -> ProjectFiles.read(bad));
        assertEquals(3, InspectCommandTest.cli("prune", Fixtures.torch("mlp.onnx").toString(), "--out",
                dir.resolve("x.onnx").toString(), "--config", bad.toString()).code());
    }
}
