package org.sparsitybench.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;

/** Files from newer ONNX versions: a higher IR version, fields and data types this build has never heard of. */
class OnnxForwardCompatibilityTest {
    @TempDir
    Path dir;

    @Test
    void newerIrVersionsUnknownFieldsAndUnknownDtypesAreKeptNotRejected() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("future", 21).input("X", 1, -1, 2).output("Y", 1, -1, 2)
                .initializer("W", new float[] {1, 2, 3, 4}, 2, 2)
                // data type 23 (FLOAT4E2M1) is newer than this build's protobuf classes
                .initializer(TensorProto.newBuilder().setName("packed").setDataType(23).addDims(8)
                        .setRawData(ByteString.copyFrom(new byte[4])).build());
        b.node("Gemm", new String[] {"X", "W"}, new String[] {"Y"}, attrInt("transB", 1));
        ModelProto base = b.build();
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("future")).build())
                .build();
        ModelProto future = base.toBuilder().setIrVersion(99).setUnknownFields(unknown).build();
        Path in = dir.resolve("future.onnx");
        Files.write(in, future.toByteArray());

        Model m = new OnnxReader().read(in);
        WeightTensor packed = m.tensor("packed").orElseThrow();
        assertEquals(DType.OTHER, packed.dtype());
        assertEquals(false, packed.prunable());
        assertTrue(m.tensor("W").orElseThrow().prunable());

        Path out = dir.resolve("out.onnx");
        WeightTensor w = m.tensor("W").orElseThrow();
        new OnnxWriter().write(m, Map.of("W", org.sparsitybench.formats.TensorUpdate.of(w, new float[] {0, 2, 0, 4})),
                Map.of(), out);
        ModelProto written = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(99, written.getIrVersion());
        assertEquals("future", written.getUnknownFields().getField(999).getLengthDelimitedList().get(0).toStringUtf8());
        TensorProto packedOut = written.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("packed")).findFirst().orElseThrow();
        assertEquals(23, packedOut.getDataType());
        assertEquals(floatTensor("W", new float[] {0, 2, 0, 4}, 2, 2).getRawData(),
                written.getGraph().getInitializer(0).getRawData());
    }
}
