package org.sparsitybench.ui.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The export dialog under TestFX (headless Monocle) on fashion-lenet5 with a real engine result. */
@ExtendWith(ApplicationExtension.class)
class ExportDialogTest {
    @TempDir
    Path dir;

    private Stage owner;
    private final FxTaskExecutor executor = new FxTaskExecutor();

    @Start
    void start(Stage stage) {
        owner = stage;
        stage.setScene(new Scene(new StackPane(new Label("workbench")), 300, 200));
        stage.show();
    }

    @AfterEach
    void stop() {
        executor.shutdown();
    }

    @Test
    void exportingFromTheDialogWritesAModelThatRunsWithTheExpectedSparsity(FxRobot robot) throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/fashion-lenet5");
        Path model = dir.resolve("model.onnx");
        Files.copy(sample.resolve("model.onnx"), model);
        Model m = ModelFiles.read(model);
        PruningResult result = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.7, "magnitude",
                Allocation.ERK)), ProgressListener.NONE, CancellationToken.NONE);
        AtomicReference<Stage> dialog = new AtomicReference<>();
        robot.interact(() -> dialog.set(ExportView.show(owner, new ExportRequestSource(m, result, List.of(), List.of()),
                executor)));
        ExportViewModel vm = robot.lookup("#exportView").queryAs(ExportView.class).viewModel();
        assertEquals(dir.resolve("model-export"), vm.folderProperty().get());

        robot.clickOn("#exportSparse");
        robot.clickOn("#exportButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && !vm.written().isEmpty()
                || !vm.errorProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", vm.errorProperty().get());
        assertTrue(robot.lookup("#exportStatus").queryAs(Label.class).getText().startsWith("Wrote 2 files"));

        Path out = dir.resolve("model-export/model-pruned.onnx");
        Model written = ModelFiles.read(out);
        assertEquals(result.pruned(), written.prunableTensors().stream().mapToLong(t -> t.stats().zeros()).sum(),
                "the file holds exactly the engine's zeros");
        assertTrue(Files.size(out) < Files.size(model), "sparse storage shrinks the file");
        JsonNode rep = new ObjectMapper().readTree(dir.resolve("model-export/model-pruned.onnx.report.json").toFile());
        assertEquals(result.achievedSparsity(), rep.get("totals").get("achieved").asDouble(), 1e-15);
        assertTrue(rep.has("sparseStorageNote"));

        ModelCard card = ModelCard.read(sample.resolve(ModelCard.FILE_NAME));
        var data = Datasets.open(Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
        try (OrtModel session = OrtModel.open(out, card.input(), 0)) {
            var e = org.sparsitybench.eval.Evaluator.evaluate(session, card, data, 100, 200, ProgressListener.NONE,
                    CancellationToken.NONE);
            assertEquals(200, e.samples());
            assertTrue(e.accuracy() > 0.5, "a 70 % ERK-pruned LeNet still classifies: " + e.accuracy());
        }
        String shot = System.getProperty("sb.screenshotDir");
        if (shot != null) {
            robot.interact(() -> {
                try {
                    javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(
                            dialog.get().getScene().getRoot().snapshot(null, null), null), "png",
                            Path.of(shot, "export-dialog.png").toFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        robot.clickOn("#exportClose");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(dialog.get().isShowing());
    }

    @Test
    void aRefusedCompactionIsShownInTheDialogNamingTheFile(FxRobot robot) throws Exception {
        Path model = dir.resolve("lenet.onnx");
        Files.copy(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"), model);
        Model m = ModelFiles.read(model);
        PruningResult result = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.5, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        robot.interact(() -> ExportView.show(owner, new ExportRequestSource(m, result, List.of(), List.of()), executor));
        ExportViewModel vm = robot.lookup("#exportView").queryAs(ExportView.class).viewModel();
        robot.clickOn("#exportCompact");
        robot.clickOn("#exportButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.errorProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        String error = robot.lookup("#exportError").queryAs(Label.class).getText();
        assertTrue(error.contains(model.toString()) && error.contains("nothing to compact"), error);
        assertTrue(robot.lookup("#exportCompaction").queryAs(Label.class).getText().startsWith("Compaction refused"));
        assertFalse(Files.exists(vm.modelFile()));
        assertFalse(vm.runningProperty().get());
    }
}
