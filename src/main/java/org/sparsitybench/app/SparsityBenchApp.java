package org.sparsitybench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/** The workbench window. Opens the model named on the command line, or the bundled sample. */
public final class SparsityBenchApp extends Application {
    /** Window icons rendered from icons/sparsitybench.svg by icons/build.sh; the window manager picks a size. */
    static final int[] ICON_SIZES = {16, 24, 32, 48, 64, 128, 256};
    private FxTaskExecutor executor;

    @Override
    public void start(Stage stage) {
        executor = new FxTaskExecutor();
        WorkbenchViewModel vm = new WorkbenchViewModel(executor);
        MainView view = new MainView(vm);
        stage.setTitle("SparsityBench");
        stage.getIcons().addAll(windowIcons());
        stage.setScene(new Scene(view, 1280, 800));
        stage.show();
        List<String> args = getParameters().getRaw();
        Path model = args.isEmpty() ? Launcher.defaultSample() : Path.of(args.get(0));
        if (model != null && Files.exists(model)) {
            // A project arrives here from the packages' .sbproj file association.
            if (model.getFileName().toString().endsWith(".sbproj")) {
                vm.openProject(model);
            } else {
                vm.open(model);
            }
        }
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
        if (executor != null) {
            executor.shutdown();
        }
    }
}
