package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.shape;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.u16;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * A BF16 export whose masks are computed from the bytes as they stream out (on two threads, chunks out of order)
 * and whose header, with the masks' hash, is written last: the file, its metadata and the report say exactly
 * what an independent run of the engine, with its masks materialised the usual way, says.
 */
class StreamedMaskExportTest {
    @TempDir
    Path dir;

    /**
     * Three BF16 weights: one of 1,126,400 elements (cut in four parts), one of few distinct values (the global
     * cut's ties fall in a tensor of their own), one small.
     */
    private Path model() throws Exception {
        SplittableRandom r = new SplittableRandom(41);
        int[] big = new int[1100 * 1024];
        int[] ties = new int[300 * 200];
        int[] small = new int[64 * 64];
        for (int i = 0; i < big.length; i++) {
            big[i] = DTypeCodec.floatToBf16((float) (r.nextGaussian() * 0.02));
        }
        for (int i = 0; i < ties.length; i++) {
            ties[i] = DTypeCodec.floatToBf16(0.01f * (1 + r.nextInt(4)) * (r.nextBoolean() ? 1 : -1));
        }
        for (int i = 0; i < small.length; i++) {
            small[i] = DTypeCodec.floatToBf16((float) (r.nextGaussian() * 0.05));
        }
        return builder().tensor("big.weight", "BF16", shape(1100, 1024), u16(big))
                .tensor("ties.weight", "BF16", shape(300, 200), u16(ties))
                .tensor("small.weight", "BF16", shape(64, 64), u16(small))
                .write(dir.resolve("in.safetensors"));
    }

    @Test
    void streamedMasksAgreeWithTheEngineAndTheHeaderCarriesTheirHash() throws Exception {
        Path in = model();
        for (double sparsity : new double[] {0.5, 0.37}) {
            Path out = dir.resolve("out" + sparsity + ".safetensors");
            InspectCommandTest.Run run = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(),
                    "--method", "global", "--sparsity", Double.toString(sparsity));
            assertEquals(0, run.code(), run.err());
            JsonNode report = new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());

            Model source = ModelFiles.read(in);
            PruningResult result = new PruningEngine(source, new ScoreCache(false), null).run(
                    PruningConfig.of(GlobalSettings.of(sparsity, "magnitude", Allocation.GLOBAL)),
                    ProgressListener.NONE, CancellationToken.NONE);
            String masksSha = PruneExport.masksSha256(result.masks());
            assertEquals(masksSha, report.get("masksSha256").asText(), "at " + sparsity);

            Model written = ModelFiles.read(out);
            JsonNode meta = new ObjectMapper().readTree(written.metadata().get("sparsitybench"));
            assertEquals(masksSha, meta.get("masksSha256").asText(), "the header, written again at the end");

            for (JsonNode layer : report.get("layers")) {
                String name = layer.get("name").asText();
                Mask mask = result.masks().get(name);
                BitMask bits = mask.toBitMask();
                assertEquals(bits.sha256(), layer.get("maskSha256").asText(), name);
                long kept = 0;
                for (JsonNode c : layer.get("keptPerChannel")) {
                    kept += c.asLong();
                }
                WeightTensor before = source.tensor(name).orElseThrow();
                WeightTensor after = written.tensor(name).orElseThrow();
                int n = (int) before.elementCount();
                ByteBuffer expected = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer got = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                assertTrue(before.data().readStored(0, n, expected));
                assertTrue(after.data().readStored(0, n, got));
                long nonZeros = 0;
                for (int i = 0; i < n; i++) {
                    if (!bits.isKept(i)) {
                        expected.putShort(2 * i, (short) 0);
                    }
                    nonZeros += (got.getShort(2 * i) & 0x7fff) != 0 ? 1 : 0;
                }
                assertArrayEquals(expected.array(), got.array(), name + " at " + sparsity);
                assertEquals(nonZeros, kept, name + ": keptPerChannel counted from the stream");
            }
        }
    }
}
