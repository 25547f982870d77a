package org.sparsitybench.formats;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.formats.safetensors.SafeTensorsReader;
import org.sparsitybench.formats.safetensors.SafeTensorsWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.ModelFormatException;

/** The one entry point for reading any supported model file and finding the writer for its format. */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * Reads a model, choosing the format by extension ({@code .onnx}, {@code .safetensors}) or, failing that,
     * by the first bytes.
     *
     * @throws ModelFormatException if the file is missing, unreadable or not a valid model
     */
    public static Model read(Path file) throws IOException {
        return readerFor(detect(file)).read(file);
    }

    public static ModelReader readerFor(ModelFormat format) {
        return switch (format) {
            case ONNX -> new OnnxReader();
            case SAFETENSORS -> new SafeTensorsReader();
        };
    }

    public static ModelWriter writerFor(ModelFormat format) {
        return switch (format) {
            case ONNX -> new OnnxWriter();
            case SAFETENSORS -> new SafeTensorsWriter();
        };
    }

    /** The format of {@code file}, by extension, else by content. */
    public static ModelFormat detect(Path file) throws ModelFormatException {
        if (!Files.exists(file)) {
            throw new ModelFormatException(file, "", "file does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file, "", "is a folder, expected a model file (.onnx or .safetensors)");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) {
            return ModelFormat.ONNX;
        }
        if (name.endsWith(".safetensors")) {
            return ModelFormat.SAFETENSORS;
        }
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new ModelFormatException(file, "", "cannot read: " + e.getMessage(), e);
        }
        if (n == 9 && head[8] == '{') {
            return ModelFormat.SAFETENSORS;
        }
        if (n > 0 && head[0] == 0x08) {
            return ModelFormat.ONNX; // field 1 (ir_version), varint: how every ONNX writer starts
        }
        throw new ModelFormatException(file, "offset 0", "unknown model format: expected .onnx or .safetensors");
    }
}
