package org.sparsitybench.ui.common;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.Region;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * Every dialog the window shows, in one place (after JabRef's {@code DialogService}): errors, information,
 * a yes/no question, file choosers and a custom content with OK/Cancel. Each is owned by the window given.
 */
public final class DialogService {
    private final Supplier<Window> owner;

    /** @param owner the window that owns the dialogs (asked each time: the scene may come later) */
    public DialogService(Supplier<Window> owner) {
        this.owner = owner;
    }

    /**
     * Gives {@code target} (a dialog's pane, or another window's root) the theme of {@code owner}'s window: its
     * style sheets and its {@link Styles#ROOT}/{@link Styles#DARK} classes, so a dialog over the dark window is
     * dark too. Nothing happens without an owner.
     */
    public static void followTheme(Window owner, Parent target) {
        if (owner == null || owner.getScene() == null || owner.getScene().getRoot() == null) {
            return;
        }
        Parent root = owner.getScene().getRoot();
        for (String sheet : root.getStylesheets()) {
            if (!target.getStylesheets().contains(sheet)) {
                target.getStylesheets().add(sheet);
            }
        }
        for (String c : List.of(Styles.ROOT, Styles.DARK)) {
            target.getStyleClass().remove(c);
            if (root.getStyleClass().contains(c)) {
                target.getStyleClass().add(c);
            }
        }
    }

    private void own(Dialog<?> d) {
        Window w = owner.get();
        d.initOwner(w);
        followTheme(w, d.getDialogPane());
        // Sized to the content: on some window managers a dialog otherwise opens too small to show its buttons.
        d.getDialogPane().setMinHeight(Region.USE_PREF_SIZE);
        d.getDialogPane().setMinWidth(Region.USE_PREF_SIZE);
    }

    /** The header of an error whose cause is not known more closely. */
    public static final String GENERIC_HEADER = "Could not complete the operation";

    /**
     * The header that says what failed, from the title of the task that failed ("Opening model.onnx" → "Could not
     * open model.onnx", "Sensitivity" → "Sensitivity analysis failed"); null for a title it does not know.
     */
    public static String errorHeader(String taskTitle) {
        if (taskTitle == null) {
            return null;
        }
        if (taskTitle.startsWith("Opening ")) {
            return "Could not open " + taskTitle.substring("Opening ".length());
        }
        if (taskTitle.startsWith("Calibrating wanda")) {
            return "Wanda's calibration failed";
        }
        if (taskTitle.startsWith("Comparing ")) {
            return "Could not compare the snapshots";
        }
        if (taskTitle.startsWith("Exporting") || taskTitle.startsWith("Export")) {
            return taskTitle.contains("recovered") ? "Export of the recovered model failed" : "Export failed";
        }
        return switch (taskTitle) {
            case "Sweep" -> "Sweep failed";
            case "Sensitivity" -> "Sensitivity analysis failed";
            case "Recover" -> "Recovery (fine-tuning) failed";
            default -> taskTitle + " failed";
        };
    }

    /** Shows an error under {@link #GENERIC_HEADER}; prefer {@link #error(String, String)}. */
    public void error(String message) {
        error(GENERIC_HEADER, message);
    }

    /**
     * Shows an error; does not wait. Its pane has the id {@code errorDialog}.
     *
     * @param header  what failed ("Could not open model.onnx", "Export failed")
     * @param message why, naming the file and the problem
     */
    public void error(String header, String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        a.setHeaderText(header);
        own(a);
        a.getDialogPane().setId("errorDialog");
        a.show();
    }

    /** Shows information under a title; does not wait. */
    public void info(String title, String text) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, text, ButtonType.OK);
        a.setHeaderText(title);
        own(a);
        a.show();
    }

    /**
     * Asks a question with two answers and waits.
     *
     * @return true for {@code yes}
     */
    public boolean ask(String id, String title, String question, String yes, String no) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, question, new ButtonType(yes, ButtonBar.ButtonData.YES),
                new ButtonType(no, ButtonBar.ButtonData.NO));
        a.setHeaderText(title);
        own(a);
        a.getDialogPane().setId(id);
        return a.showAndWait().map(b -> b.getButtonData() == ButtonBar.ButtonData.YES).orElse(false);
    }

    /** An answer to {@link #saveDiscardCancel}. */
    public enum Choice { SAVE, DISCARD, CANCEL }

    /**
     * Asks whether to save unsaved work before it would be lost, and waits; closing the dialog cancels. The
     * buttons have the ids {@code saveButton}, {@code discardButton} and {@code cancelButton} inside the pane
     * {@code id}.
     */
    public Choice saveDiscardCancel(String id, String title, String question) {
        ButtonType save = new ButtonType("Save…", ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType("Discard", ButtonBar.ButtonData.NO);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert a = new Alert(Alert.AlertType.WARNING, question, save, discard, cancel);
        a.setTitle(title);
        a.setHeaderText(title);
        own(a);
        a.getDialogPane().setId(id);
        a.getDialogPane().lookupButton(save).setId("saveButton");
        a.getDialogPane().lookupButton(discard).setId("discardButton");
        a.getDialogPane().lookupButton(cancel).setId("cancelButton");
        ButtonType answer = a.showAndWait().orElse(cancel);
        return answer == save ? Choice.SAVE : answer == discard ? Choice.DISCARD : Choice.CANCEL;
    }

    /**
     * Shows {@code content} with OK and Cancel and waits.
     *
     * @param result what OK means, read after the dialog closed
     * @return the result after OK; empty after Cancel
     */
    public <T> Optional<T> custom(String id, String title, String header, Node content, Supplier<T> result) {
        Dialog<ButtonType> d = new Dialog<>();
        d.setTitle(title);
        d.setHeaderText(header);
        d.getDialogPane().setContent(content);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.getDialogPane().setId(id);
        own(d);
        d.setResizable(true);
        // Enter accepts from anywhere in the content (a list keeps the key to itself otherwise).
        d.getDialogPane().addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && !(e.getTarget() instanceof Button)) {
                ((Button) d.getDialogPane().lookupButton(ButtonType.OK)).fire();
                e.consume();
            }
        });
        return d.showAndWait().filter(b -> b == ButtonType.OK).map(b -> result.get());
    }

    /** Asks for a file to open; empty when the user cancels. */
    public Optional<Path> openFile(String title, FileChooser.ExtensionFilter... filters) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().addAll(filters);
        return Optional.ofNullable(chooser.showOpenDialog(owner.get())).map(File::toPath);
    }

    /** Asks for a file to write, suggesting {@code name}; empty when the user cancels. */
    public Optional<Path> saveFile(String title, String name, FileChooser.ExtensionFilter... filters) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.setInitialFileName(name);
        chooser.getExtensionFilters().addAll(filters);
        return Optional.ofNullable(chooser.showSaveDialog(owner.get())).map(File::toPath);
    }

    /** Asks for a folder, starting in {@code start} when it is one; empty when the user cancels. */
    public Optional<Path> chooseFolder(String title, Path start) {
        javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
        chooser.setTitle(title);
        if (start != null && start.toFile().isDirectory()) {
            chooser.setInitialDirectory(start.toFile());
        }
        return Optional.ofNullable(chooser.showDialog(owner.get())).map(File::toPath);
    }

    /** The owning window, for dialogs that are windows of their own (export, snapshot comparison). */
    public Window owner() {
        return owner.get();
    }
}
