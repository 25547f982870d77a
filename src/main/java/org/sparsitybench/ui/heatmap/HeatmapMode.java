package org.sparsitybench.ui.heatmap;

/** How the heatmap reduces the selected tensor. */
public enum HeatmapMode {
    /** The weight matrix [out, in·kh·kw], one cell per weight when it fits. */
    WEIGHTS,
    /** One cell per (output, input) kernel of a Conv; the weight matrix otherwise. */
    KERNELS,
    /** One cell per output channel: what structured pruning removes. */
    CHANNELS,
    /** The weight matrix cell by cell as {@link #WEIGHTS}, coloured by {@code |Ŵ − W|} on kept weights: the change reconstruction made. */
    CHANGE
}
