package org.sparsitybench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.session.Autosave;
import org.sparsitybench.session.UserFiles;
import org.sparsitybench.ui.common.DialogService;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/** The workbench window. Opens the model named on the command line, or the bundled sample. */
public final class SparsityBenchApp extends Application {
    /** Window icons rendered from icons/sparsitybench.svg by icons/build.sh; the window manager picks a size. */
    static final int[] ICON_SIZES = {16, 24, 32, 48, 64, 128, 256};
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;

    @Override
    public void start(Stage stage) {
        executor = new FxTaskExecutor();
        Path userDir = UserFiles.home();
        vm = new WorkbenchViewModel(executor, userDir);
        MainView view = new MainView(vm);
        stage.titleProperty().bind(view.titleBinding());
        stage.getIcons().addAll(windowIcons());
        stage.setScene(new Scene(view, 1280, 800));
        // Closing the window with unsaved snapshots asks first; Cancel keeps the window (and its autosave).
        stage.setOnCloseRequest(e -> {
            if (!view.mayDiscardWork("closing")) {
                e.consume();
            }
        });
        stage.show();
        List<Autosave.Orphan> orphans = Autosave.orphans(userDir);
        if (!orphans.isEmpty() && offerRecovery(view.dialogs(), orphans.get(0))) {
            Path recovered = orphans.get(0).file();
            // Keep the file until the recovered session has its own autosave; it is deleted after opening.
            vm.project().recover(recovered);
            vm.modelProperty().addListener((o, a, b) -> Autosave.discard(orphans));
            return;
        }
        Autosave.discard(orphans);
        List<String> args = getParameters().getRaw();
        Path model = args.isEmpty() ? Launcher.defaultSample() : Path.of(args.get(0));
        if (model != null && Files.exists(model)) {
            // A project arrives here from the packages' .sbproj file association.
            if (model.getFileName().toString().endsWith(".sbproj")) {
                vm.project().openProject(model);
            } else {
                view.open(model);
            }
        }
    }

    /** Asks whether to restore the session a crash left behind. */
    static boolean offerRecovery(DialogService dialogs, Autosave.Orphan orphan) {
        String what;
        try {
            var opened = ProjectFiles.read(orphan.file());
            what = opened.model().getFileName() + ", " + opened.project().snapshots().size() + " snapshot(s)";
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
        return dialogs.ask("recoveryDialog", "Recover unsaved work", "SparsityBench did not close normally. Restore "
                + "the session autosaved at " + java.time.format.DateTimeFormatter.ISO_LOCAL_TIME.format(
                        orphan.written().atZone(java.time.ZoneId.systemDefault()).toLocalTime().withNano(0))
                + " (" + what + ")?", "Restore", "Discard");
    }

    /** The application icon in every bundled size, smallest first. */
    static List<Image> windowIcons() {
        List<Image> icons = new ArrayList<>();
        for (int size : ICON_SIZES) {
            icons.add(new Image(SparsityBenchApp.class.getResource(
                    "/org/sparsitybench/icons/sparsitybench-" + size + ".png").toExternalForm()));
        }
        return icons;
    }

    @Override
    public void stop() {
        if (vm != null) {
            vm.project().close();
        }
        if (executor != null) {
            executor.shutdown();
        }
    }
}
