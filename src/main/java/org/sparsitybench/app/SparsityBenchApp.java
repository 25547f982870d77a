package org.sparsitybench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/** The workbench window. Opens the model named on the command line, or the bundled sample. */
public final class SparsityBenchApp extends Application {
    private FxTaskExecutor executor;

    @Override
    public void start(Stage stage) {
        executor = new FxTaskExecutor();
        WorkbenchViewModel vm = new WorkbenchViewModel(executor);
        MainView view = new MainView(vm);
        stage.setTitle("SparsityBench");
        stage.setScene(new Scene(view, 1280, 800));
        stage.show();
        List<String> args = getParameters().getRaw();
        Path model = args.isEmpty() ? Launcher.defaultSample() : Path.of(args.get(0));
        if (model != null && Files.exists(model)) {
            vm.open(model);
        }
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdown();
        }
    }
}
