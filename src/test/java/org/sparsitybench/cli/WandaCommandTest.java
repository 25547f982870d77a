package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Fixtures;

/**
 * Wanda calibrated on 128 test images against magnitude at 50 %, accuracy on all 10,000. On the residual model
 * the 144-weight stem and the classifier are excluded: pruned uniformly at 50 % they break both methods alike
 * (about 20 % accuracy), which shows the allocation, not the score.
 */
class WandaCommandTest {
    @TempDir
    Path dir;

    private double accuracy(String sample, String method, String... extra) throws Exception {
        Path model = Fixtures.projectDir().resolve("sample-models").resolve(sample).resolve("model.onnx");
        String data = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz").toString();
        Path folder = Files.createDirectories(dir.resolve(sample + "-" + method));
        Path out = folder.resolve("model.onnx");
        List<String> args = new ArrayList<>(List.of("prune", model.toString(), "--out", out.toString(), "--method",
                method, "--sparsity", "0.5", "--data", data, "--calibration", "128"));
        args.addAll(List.of(extra));
        Run p = InspectCommandTest.cli(args.toArray(String[]::new));
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.isRegularFile(folder.resolve("model-card.json")), "prune copies the model card beside its output");
        Run e = InspectCommandTest.cli("eval", out.toString(), "--data", data, "--json", "--latency-runs", "0");
        assertEquals(0, e.code(), e.err());
        return new ObjectMapper().readTree(e.out()).get("accuracy").asDouble();
    }

    @Test
    void wandaIsAtLeastAsGoodAsMagnitudeAtHalfSparsity() throws Exception {
        double wMlp = accuracy("fashion-lenet-300-100", "wanda");
        double mMlp = accuracy("fashion-lenet-300-100", "magnitude");
        assertTrue(wMlp >= mMlp, "MLP: wanda " + wMlp + " vs magnitude " + mMlp);
        String[] keep = {"--exclude", "stem.conv.weight", "--exclude", "fc.weight"};
        double wRes = accuracy("fashion-resnet-mini", "wanda", keep);
        double mRes = accuracy("fashion-resnet-mini", "magnitude", keep);
        assertTrue(wRes >= mRes, "residual: wanda " + wRes + " vs magnitude " + mRes);
    }
}
