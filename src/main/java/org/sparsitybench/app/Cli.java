package org.sparsitybench.app;

import org.sparsitybench.cli.SparsityBenchCli;

/**
 * The whole command line: the CLI's commands plus those that need the UI ({@code render}), which the CLI layer may
 * not import. {@code packaging/bin/sparsitybench} and the launcher (with a subcommand) run this.
 */
public final class Cli {
    private Cli() {
    }

    public static void main(String[] args) {
        SparsityBenchCli.main(args, new RenderCommand(), new GuiCommand());
    }
}
