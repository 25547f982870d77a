package org.sparsitybench.ui.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.chart.LineChart;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxStallMonitor;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window under TestFX: a user prunes fashion-lenet-300-100, presses Recover on the toolbar, starts fine-tuning,
 * watches the epoch charts grow and cancels.
 */
@ExtendWith(ApplicationExtension.class)
class RecoverWindowTest {
    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        stage.setScene(new Scene(new MainView(vm), 1200, 760));
        stage.show();
    }

    private static int points(FxRobot robot, String chart) {
        LineChart<?, ?> c = robot.lookup(chart).queryAs(LineChart.class);
        return c.getData().get(0).getData().size();
    }

    @Test
    void recoverRunsChartsEpochsAndCancelKeepsTheCompletedOnes(FxRobot robot) throws Exception {
        // fashion-lenet-300-100 on its 10,800 training images: 200 epochs take long enough to cancel in the middle of
        // (the digits MLP's 1,400 images ran all 200 before the Cancel click once the trainer got faster).
        Path model = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        robot.interact(() -> vm.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.frameProperty().get() != null && vm.isIdle() && !vm.executor().busyProperty().get());
        robot.interact(() -> vm.bar().setGlobalTarget(0.5));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.isIdle());

        robot.clickOn("#toolbarRecover");
        WaitForAsyncUtils.waitForFxEvents();
        TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
        assertEquals("tabRecover", tabs.getSelectionModel().getSelectedItem().getId());

        robot.interact(() -> vm.recovery().epochsProperty().set(200));
        // The schedule and the decay as a user sets them: the list, then the field.
        robot.clickOn("#recoverSchedule");
        robot.clickOn("step");
        robot.doubleClickOn("#recoverWeightDecay").eraseText(5).write("0.01");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(org.sparsitybench.train.LrSchedule.STEP, vm.recovery().scheduleProperty().get());
        assertEquals(0.01, vm.recovery().weightDecayProperty().get());
        try (FxStallMonitor monitor = FxStallMonitor.start(5)) {
            robot.clickOn("#recoverStart");
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> points(robot, "#recoverAccuracyChart") >= 2);
            int seen = points(robot, "#recoverLossChart");
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> points(robot, "#recoverLossChart") > seen);
            assertTrue(vm.recovery().runningProperty().get(), "still running while the chart grows");
            robot.clickOn("#recoverCancel");
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.recovery().runningProperty().get()
                    && !vm.executor().busyProperty().get());
            WaitForAsyncUtils.waitForFxEvents();
            System.out.printf(Locale.ROOT, "FX stall during Recover on fashion-lenet-300-100: longest %.1f ms over %d pings%n",
                    monitor.longestMillis(), monitor.pings());
        }
        int kept = vm.recovery().history().size();
        assertTrue(kept >= 3 && kept < 200, "epochs completed before cancel: " + kept);
        assertEquals(kept, points(robot, "#recoverAccuracyChart"));
        RecoveryViewModel.Outcome o = vm.recovery().outcomeProperty().get();
        assertTrue(o.cancelled());
        assertEquals(0.5, o.bestEpoch().sparsity(), 0.01, "the window's configuration gave the masks");
        String status = robot.lookup("#recoverStatus").queryAs(Label.class).getText();
        assertTrue(status.startsWith("Cancelled after " + kept + " of 200 epochs; the best completed epoch is kept."),
                status);
        assertTrue(status.contains("validation accuracy"), status);
        assertTrue(status.contains("step decay") && status.contains("weight decay 0.01"), status);
        assertEquals(0.01, o.settings().weightDecay());
        assertFalse(robot.lookup("#recoverExport").query().isDisabled(), "the kept epochs can be exported");
    }
}
