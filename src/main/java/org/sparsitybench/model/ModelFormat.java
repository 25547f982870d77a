package org.sparsitybench.model;

/** The file formats a {@link Model} can come from and be written back to. */
public enum ModelFormat {
    ONNX("onnx"), SAFETENSORS("safetensors");

    private final String id;

    ModelFormat(String id) {
        this.id = id;
    }

    /** The lower-case id used in JSON output and on the command line. */
    public String id() {
        return id;
    }
}
