package org.sparsitybench.tools.fuzz;

/**
 * One generated input. {@code seed} is the {@link java.util.Random} seed the generator used (-1 for hand-written
 * cases); with the generator name it rebuilds the case.
 *
 * @param generator the generator family, e.g. {@code truncate}, {@code dims}, {@code external-path}
 * @param index     the case's number within its generator
 * @param seed      the seed that rebuilds it, or -1
 * @param detail    what was done, in words
 * @param expect    what reading it must do
 * @param setup     writes the files
 */
public record FuzzCase(String generator, int index, long seed, String detail, Expect expect, CaseSetup setup) {
    public String label() {
        return generator + "#" + index + (seed >= 0 ? " seed=" + seed : "") + " (" + detail + ")";
    }
}
