package org.sparsitybench.app;

import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.tools.ToolCommands;

/**
 * The whole command line: the CLI's commands plus those the CLI layer may not import: {@code render} (it needs
 * the UI) and the development tools ({@code bench}, {@code fuzz}), which the product never depends on.
 * {@code packaging/bin/sparsitybench} and the launcher (with a subcommand) run this.
 */
public final class Cli {
    private Cli() {
    }

    public static void main(String[] args) {
        SparsityBenchCli.main(args, subcommands());
    }

    /** New instances of the subcommands added to the CLI's own. */
    static Object[] subcommands() {
        List<Object> extra = new ArrayList<>(List.of(new RenderCommand(), new GuiCommand()));
        extra.addAll(List.of(ToolCommands.all()));
        return extra.toArray();
    }
}
