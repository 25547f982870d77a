package org.sparsitybench.ui.workbench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.sparsitybench.ui.common.FxTaskExecutor;

/**
 * A workbench window in its own JVM, for {@link AutosaveRecoveryTest}: opens a model, changes the configuration,
 * saves two snapshots, waits until the autosave holds them, prints {@code READY} and waits to be killed.
 * Arguments: user folder, model.
 */
public final class AutosaveKillChild {
    private AutosaveKillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path user = Path.of(args[0]);
        Path model = Path.of(args[1]);
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        WorkbenchViewModel[] holder = new WorkbenchViewModel[1];
        Platform.runLater(() -> {
            WorkbenchViewModel vm = new WorkbenchViewModel(new FxTaskExecutor(), user, Duration.ofMillis(200));
            holder[0] = vm;
            Stage stage = new Stage();
            stage.setScene(new Scene(new MainView(vm), 1000, 700));
            stage.show();
            vm.open(model);
        });
        await(() -> holder[0] != null && holder[0].modelProperty().get() != null && holder[0].isIdle());
        WorkbenchViewModel vm = holder[0];
        Platform.runLater(() -> {
            vm.bar().setGlobalTarget(0.7);
            vm.project().saveSnapshot("seventy");
            vm.layers().setLocked(vm.layers().rows().get(0).name(), true);
            vm.bar().setGlobalTarget(0.2);
            vm.project().saveSnapshot("twenty, first locked");
        });
        Path file = vm.project().autosave().file();
        await(() -> {
            try {
                return Files.exists(file) && Files.readString(file).contains("twenty, first locked")
                        && Files.readString(file).contains("\"target\" : 0.2");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        System.out.println("READY " + file);
        System.out.flush();
        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        System.exit(2);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                System.out.println("TIMEOUT");
                System.exit(3);
            }
            Thread.sleep(20);
        }
    }
}
