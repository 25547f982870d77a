package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.Map;

/** What {@link OnnxWriter} needs from a read: the parsed protobuf and where each named tensor sits in it. */
record OnnxSource(ModelProto proto, Map<String, OnnxLocation> locations) {
    OnnxSource {
        locations = Map.copyOf(locations);
    }
}
