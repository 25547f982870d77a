package org.sparsitybench.tools;

import org.sparsitybench.tools.bench.BenchCommand;
import org.sparsitybench.tools.fuzz.FuzzCommand;

/**
 * The development instruments of the {@code sparsitybench} command line: {@code bench ...} (speed against peers)
 * and {@code fuzz} (malformed files through the readers). No product room imports this room (ArchitectureTest);
 * {@code app} adds these commands to the command line it builds, beside the product's.
 *
 * <p>A new instrument: its command class in a sub-package of {@code tools}, one entry in {@link #all()}. A new
 * benchmark: a command class in {@code tools.bench} (or a sub-package), one entry in {@link BenchCommand}'s
 * {@code subcommands}.
 */
public final class ToolCommands {
    private ToolCommands() {
    }

    /** New instances of the tool commands (picocli fills their fields, so every command line gets its own). */
    public static Object[] all() {
        return new Object[] {new BenchCommand(), new FuzzCommand()};
    }
}
