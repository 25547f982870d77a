package org.sparsitybench.tools.bench;

import picocli.CommandLine.Option;

/**
 * {@code --seed} of the benches that draw both their weights and their inputs from one seed ({@code bench sparse},
 * {@code bench sparsegpt}), declared once as a picocli mixin so the two keep the same default and meaning.
 */
final class SeedOption {
    @Option(names = "--seed", defaultValue = "20240601", description = "Seed of the weights and inputs.")
    long seed;
}
