package org.sparsitybench.ui.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.curves.CurvesView;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window under TestFX on the digits MLP: a Recover run becomes what the window shows until the toolbar's
 * Undo, and the Curves tab's sweep runs the methods ticked "with recovery", drawing both series, a Cancel keeping
 * the points finished.
 */
@ExtendWith(ApplicationExtension.class)
class RecoveredAndSweptInWindowTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        stage.setScene(new Scene(new MainView(vm), 1200, 760));
        stage.show();
    }

    private boolean settled() {
        return vm.isIdle() && vm.evaluation().isIdle() && !vm.executor().busyProperty().get();
    }

    private void openAtHalf(FxRobot robot) throws Exception {
        robot.interact(() -> vm.open(DIGITS));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.frameProperty().get() != null && settled());
        robot.interact(() -> vm.bar().setGlobalTarget(0.5));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.evaluation().evaluationProperty().get() != null
                && settled());
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    @Test
    void recoverMakesTheRecoveredWeightsCurrentAndUndoReturnsToOneShot(FxRobot robot) throws Exception {
        openAtHalf(robot);
        assertTrue(text(robot, "#accuracyLabel").contains("(one-shot: mask only)"), text(robot, "#accuracyLabel"));
        robot.clickOn("#toolbarRecover");
        robot.interact(() -> {
            vm.recovery().epochsProperty().set(2);
            vm.recovery().limitProperty().set(400);
        });
        robot.clickOn("#recoverStart");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.recovery().runningProperty().get()
                && text(robot, "#accuracyLabel").startsWith("test accuracy ") && settled());
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(vm.frameProperty().get().recovered());
        assertTrue(text(robot, "#accuracyLabel").contains("(recovered: epoch "), text(robot, "#accuracyLabel"));
        assertTrue(text(robot, "#totalsLabel").contains("weights: recovered"), text(robot, "#totalsLabel"));
        assertTrue(text(robot, "#reconstructStatus").startsWith("Weights on screen: recovered: epoch "),
                text(robot, "#reconstructStatus"));
        assertTrue(text(robot, "#recoverStatus").contains("Edit ▸ Undo returns to the one-shot ones"),
                text(robot, "#recoverStatus"));

        robot.clickOn("#undoButton");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> text(robot, "#accuracyLabel").startsWith("test accuracy ")
                && settled());
        WaitForAsyncUtils.waitForFxEvents();
        assertNull(vm.frameProperty().get().recovered());
        assertTrue(text(robot, "#accuracyLabel").contains("(one-shot: mask only)"), text(robot, "#accuracyLabel"));
        assertEquals(0.5, vm.configProperty().get().global().target(), 0, "undo left the configuration as it was");
        assertEquals("Weights on screen: mask only", text(robot, "#reconstructStatus"));
    }

    @Test
    void theCurvesTabSweepsTheTickedMethodsWithRecoveryAndCancelKeepsFinishedPoints(FxRobot robot) throws Exception {
        openAtHalf(robot);
        robot.clickOn("#tabCurves");
        robot.clickOn("#sweepMethod-random");
        robot.clickOn("#sweepMethod-wanda");
        robot.clickOn("#sweepRecover");
        assertEquals(List.of("magnitude", "wanda"), List.copyOf(vm.sweep().methods()));
        assertTrue(vm.sweep().recoverProperty().get());
        robot.interact(() -> {
            vm.sweep().recoveryEpochsProperty().set(1);
        });
        robot.clickOn("#sweepRun");
        // Magnitude's first levels, each one-shot then recovered; then Cancel in the status bar.
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> vm.sweep().points().size() >= 2);
        robot.clickOn("#cancelButton");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        List<SweepPoint> kept = List.copyOf(vm.sweep().points());
        assertTrue(kept.size() >= 2 && kept.size() < 40, "points kept after cancel: " + kept.size());
        assertTrue(vm.sweep().runs().get(0).label().endsWith("(cancelled)"), vm.sweep().runs().get(0).label());
        assertTrue(vm.sweep().runs().get(0).label().contains("with recovery (1 ep per point)"));

        CurvesView curves = robot.lookup("#curvesView").queryAs(CurvesView.class);
        List<String> names = new ArrayList<>();
        for (Object s : curves.dataset().getSeries()) {
            names.add(String.valueOf(((XYSeries) s).getKey()));
        }
        assertTrue(names.contains("magnitude / uniform") && names.contains("magnitude + recovery (1 ep) / uniform"),
                names.toString());
        XYSeries recovered = curves.dataset().getSeries("magnitude + recovery (1 ep) / uniform");
        assertEquals(kept.stream().filter(p -> p.recovered() && p.method().equals("magnitude")).count(),
                recovered.getItemCount());
    }
}
