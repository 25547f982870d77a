package org.sparsitybench.ui.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One chart the export dialog can write (as PNG and SVG, say), offered as a checkbox under its {@link #name()}.
 * The caller builds these from its charts (ui/common's chart export); the dialog calls {@link #export} on the FX
 * thread, because rendering a chart needs it, before the model is written in the background.
 */
public interface ChartExporter {
    /** The checkbox label, e.g. "Accuracy vs sparsity chart". */
    String name();

    /**
     * Writes the chart's files into {@code folder}, their names starting with {@code baseName}.
     *
     * @return the files written
     * @throws IOException naming the file that could not be written
     */
    List<Path> export(Path folder, String baseName) throws IOException;

    /**
     * Writes the chart's files drawn at {@code options}' size and theme. The default ignores the options (an
     * exporter whose chart has a fixed look).
     */
    default List<Path> export(Path folder, String baseName, ChartOptions options) throws IOException {
        return export(folder, baseName);
    }
}
