package org.sparsitybench.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Slider;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import onnx.OnnxMl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxStallMonitor;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.layers.LayerRow;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Issue 6 under the real window: a thousand slider events in one second, 200+ layers, and how long the FX
 * thread stalls while a sweep runs. Figures are printed for the notes; the asserts guard behaviour (bounded work,
 * the last value wins, nothing blocks the FX thread for seconds), not speed.
 */
@ExtendWith(ApplicationExtension.class)
class WindowStressTest {
    @TempDir
    Path dir;

    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        stage.setScene(new Scene(new MainView(vm), 1200, 760));
        stage.show();
    }

    private void openAndWait(FxRobot robot, Path model) throws Exception {
        robot.interact(() -> vm.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.frameProperty().get() != null && vm.isIdle() && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    /** Drags the first row's slider through {@code events} values in about a second, ending at {@code last}. */
    private void burst(Slider slider, int events, double last) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            double v = i == events - 1 ? last : (i % 97) / 100.0;
            boolean end = i == events - 1;
            Platform.runLater(() -> {
                slider.setValueChanging(true);
                slider.setValue(v);
                if (end) {
                    slider.setValueChanging(false);
                }
            });
            long due = start + (i + 1) * 1_000_000L;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void aThousandSliderEventsInOneSecondComputeFewTimesKeepMemoryFlatAndShowTheLastValue(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx"));
        Slider slider = robot.lookup(".sb-row-slider").nth(0).queryAs(Slider.class);
        LayerRow first = vm.layers().rows().get(0);
        long heap0 = usedHeapAfterGc();
        long computed0 = vm.recomputations();
        long t0 = System.nanoTime();
        burst(slider, 1000, 0.625);
        double sendMs = (System.nanoTime() - t0) / 1e6;
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.isIdle());
        WaitForAsyncUtils.waitForFxEvents();
        long computed = vm.recomputations() - computed0;
        long heap1 = usedHeapAfterGc();
        burst(slider, 1000, 0.375);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.isIdle());
        WaitForAsyncUtils.waitForFxEvents();
        long heap2 = usedHeapAfterGc();

        assertEquals(0.375, vm.configProperty().get().layer(first.name()).sparsity(), 1e-12, "the last value wins");
        long n = first.params();
        assertEquals(Math.round(0.375 * n) / (double) n, first.achievedProperty().get(), 1e-12,
                "the shown result is the last value's, to the element");
        assertEquals(0.375, slider.getValue(), 1e-12);
        assertEquals(first.name(), vm.frameProperty().get().layer());
        long kept = vm.frameProperty().get().result().masks().get(first.name()).keptCount();
        assertEquals(n - Math.round(0.375 * n), kept);
        assertTrue(vm.canUndoProperty().get());
        long growth = heap2 - heap1;
        System.out.printf(Locale.ROOT, "1000 slider events sent in %.0f ms, %d computations; heap after GC %.1f → %.1f "
                + "→ %.1f MB%n", sendMs, computed, heap0 / 1e6, heap1 / 1e6, heap2 / 1e6);
        assertTrue(computed >= 2 && computed < 1000, "live frames during the drag, coalesced, not queued: " + computed
                + " computations");
        assertTrue(growth < 32L << 20, "memory flat across bursts: grew " + growth / 1e6 + " MB");
    }

    @Test
    void twoHundredFiftyLayersListVirtuallyAndComputeOnlyTheSelectedLayersViews(FxRobot robot) throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("deep", 13);
        int layers = 250;
        int width = 16;
        b.input("x", OnnxMl.TensorProto.DataType.FLOAT_VALUE, 1, width);
        String prev = "x";
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < layers; i++) {
            float[] w = new float[width * width];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) (r.nextGaussian() * 0.25);
            }
            b.initializer("layer" + i + ".weight", w, width, width);
            String out = "h" + i;
            b.node("MatMul", new String[] {prev, "layer" + i + ".weight"}, new String[] {out});
            prev = out;
        }
        b.output(prev, OnnxMl.TensorProto.DataType.FLOAT_VALUE, 1, width);
        Path model = dir.resolve("deep.onnx");
        b.save(model);
        openAndWait(robot, model);
        TableView<?> table = robot.lookup("#layerTable").queryAs(TableView.class);
        assertEquals(layers, table.getItems().size());
        int cells = robot.lookup(".sb-row-slider").queryAll().size();
        assertTrue(cells < 80, "rows are virtual: " + cells + " slider cells for " + layers + " layers");

        robot.interact(() -> vm.layers().selectedProperty().set(vm.layers().rows().get(200)));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.isIdle()
                && "layer200.weight".equals(vm.frameProperty().get().layer()));
        robot.clickOn("#globalField").eraseText(8).write("0.5").type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.isIdle());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0.5, vm.layers().rows().get(249).achievedProperty().get(), 1e-9);
        assertEquals("layer200.weight", vm.frameProperty().get().layer(), "views follow the selection only");
        robot.interact(() -> table.scrollTo(240));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup(".table-row-cell").queryAll().stream().anyMatch(c -> c instanceof javafx.scene.control.TableRow<?> row
                && row.getItem() instanceof LayerRow lr && lr.name().equals("layer240.weight")));
    }

    @Test
    void theFxThreadKeepsAnsweringWhileASweepRunsOnLeNet5(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.evaluation().isIdle());
        try (FxStallMonitor monitor = FxStallMonitor.start(5)) {
            robot.interact(() -> vm.runSweep(java.util.List.of("magnitude", "random"),
                    java.util.List.of(0.0, 0.5, 0.8, 0.95), 2000));
            WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.sweep().points().size() == 8
                    && !vm.executor().busyProperty().get());
            System.out.printf(Locale.ROOT, "FX stall during a LeNet-5 sweep (8 points × 2000 samples): longest %.1f ms, "
                    + "%d pings, %d over 100 ms%n", monitor.longestMillis(), monitor.pings(), monitor.stallsOver100Millis());
            monitor.stallStacks().forEach(st -> System.out.println("FX thread 100 ms into a stall:\n" + st));
            assertTrue(monitor.pings() > 20, "the monitor ran: " + monitor.pings());
            assertTrue(monitor.longestMillis() < 1000, "the sweep never blocks the FX thread for a second: "
                    + monitor.longestMillis() + " ms");
        }
    }
}
