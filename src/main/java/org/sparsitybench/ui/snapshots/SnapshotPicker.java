package org.sparsitybench.ui.snapshots;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.collections.FXCollections;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionMode;
import org.sparsitybench.project.Project;
import org.sparsitybench.ui.common.DialogService;

/** Asks which snapshots to compare: a list with every snapshot selected, Ctrl+click to leave some out. */
public final class SnapshotPicker {
    private SnapshotPicker() {
    }

    /**
     * Shows the choice and waits.
     *
     * @param snapshots the session's snapshots (not modified)
     * @return the picked ones in list order; empty after Cancel
     */
    public static Optional<List<Project.Snapshot>> pick(DialogService dialogs, List<Project.Snapshot> snapshots) {
        ListView<Project.Snapshot> list = new ListView<>(FXCollections.observableArrayList(snapshots));
        list.setId("compareChoice");
        list.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        list.getSelectionModel().selectAll();
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Project.Snapshot item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : label(item));
            }
        });
        // Every snapshot visible up to twelve, then a scroll bar; the dialog is resizable for longer lists.
        list.setPrefHeight(Math.min(12, snapshots.size()) * 26 + 10);
        list.setMinHeight(3 * 26 + 10);
        list.setPrefWidth(460);
        return dialogs.custom("compareDialog", "Compare snapshots", "Pick two or more snapshots (Ctrl+click), then Enter or OK.", list,
                () -> List.copyOf(list.getSelectionModel().getSelectedItems()));
    }

    /** "NAME — 60.0% sparse, test accuracy 97.12%". */
    static String label(Project.Snapshot s) {
        return String.format(Locale.ROOT, "%s — %.1f%% sparse%s", s.name(), 100 * s.achieved(), s.accuracy() == null
                ? "" : String.format(Locale.ROOT, ", test accuracy %.2f%%", 100 * s.accuracy()));
    }
}
