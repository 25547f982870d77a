package org.sparsitybench.tools.fuzz;

import java.nio.file.Path;

/**
 * The folders a run works in. Every case gets its own folder under {@code cases}; {@code outside} is a folder
 * no case may read from. Canaries (FIFOs where the system has them) sit where escaping paths lead:
 * {@code cases/x.bin} ({@code ../x.bin} from a case), {@code root/x.bin} ({@code ../../x.bin}) and
 * {@code outside/secret.bin}; opening any of them is recorded as a violation.
 *
 * @param root    the run's working folder
 * @param cases   parent of the case folders
 * @param outside a folder outside every case folder
 * @param secret  the canary in {@code outside}
 */
public record Sandbox(Path root, Path cases, Path outside, Path secret) {
}
