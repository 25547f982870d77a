package org.sparsitybench.tools.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.sparsitybench.cli.SparsityBenchCli;

/**
 * Where a bench finds its peer script (a Python program that times numpy or PyTorch on the same data in the same
 * run). The scripts are not part of this repository: they live in the {@code shared/bench/} folder of the
 * steering repository, which a clone of this one does not have. A bench names the script it needs and finds it
 * through its {@code --peer-script FILE} option, else in the folder {@value #ENV} names; there is no default,
 * because a path into a development checkout would break wherever the product is installed.
 */
public final class PeerScripts {
    /** Environment variable naming the folder that holds the peer scripts ({@code peer_prune.py}, ...). */
    public static final String ENV = "SPARSITYBENCH_PEERS";

    private PeerScripts() {
    }

    /** As {@link #locate(String, Path, String, Map)} with this process's environment. */
    public static Path locate(String bench, Path option, String name) {
        return locate(bench, option, name, System.getenv());
    }

    /**
     * The peer script: {@code option} when given, else {@code $SPARSITYBENCH_PEERS/name}.
     *
     * @param bench  the command, for the message (e.g. {@code bench prune})
     * @param option the command's {@code --peer-script} value, or null (not modified)
     * @param name   the script's file name in the peer folder, e.g. {@code peer_prune.py}
     * @param env    the environment to read {@value #ENV} from (not modified)
     * @return the script's absolute, normalised path; it exists and is a regular file
     * @throws SparsityBenchCli.UsageException naming what to pass when the script is not found
     */
    public static Path locate(String bench, Path option, String name, Map<String, String> env) {
        if (option != null) {
            Path script = option.toAbsolutePath().normalize();
            if (!Files.isRegularFile(script)) {
                throw new SparsityBenchCli.UsageException(bench + ": --peer-script " + option + ": no such file");
            }
            return script;
        }
        String folder = env.get(ENV);
        if (folder == null || folder.isBlank()) {
            throw new SparsityBenchCli.UsageException(bench + " runs the peer script " + name + " beside its own "
                    + "timings: pass --peer-script FILE, or set " + ENV + " to the folder holding " + name
                    + " (the steering repository's shared/bench/), or pass --no-peer to time SparsityBench alone");
        }
        Path script = Path.of(folder).resolve(name).toAbsolutePath().normalize();
        if (!Files.isRegularFile(script)) {
            throw new SparsityBenchCli.UsageException(bench + ": " + ENV + "=" + folder + " holds no " + name
                    + ": point it at the folder holding the peer scripts, or pass --peer-script FILE or --no-peer");
        }
        return script;
    }
}
