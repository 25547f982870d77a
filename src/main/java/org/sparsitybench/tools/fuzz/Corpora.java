package org.sparsitybench.tools.fuzz;

import java.util.List;

/** The corpora by format name, in the order {@code --format all} runs them. */
public final class Corpora {
    private Corpora() {
    }

    public static List<String> names() {
        return List.of("onnx", "safetensors", "npz", "idx", "sbproj");
    }

    /** @throws IllegalArgumentException for an unknown name */
    public static Corpus byName(String name) {
        return switch (name) {
            case "onnx" -> new OnnxCorpus();
            case "safetensors" -> new SafeTensorsCorpus();
            case "npz" -> new NpzCorpus();
            case "idx" -> new IdxCorpus();
            case "sbproj" -> new ProjectCorpus();
            default -> throw new IllegalArgumentException("unknown format '" + name + "'; expected one of " + names());
        };
    }
}
