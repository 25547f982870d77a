package org.sparsitybench.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;
import org.sparsitybench.formats.idx.IdxBatch;
import org.sparsitybench.formats.idx.IdxDataset;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.train.ImageSet;
import org.sparsitybench.train.Network;
import org.sparsitybench.train.Preprocessing;
import org.sparsitybench.train.Trainer;

/**
 * Training is a function of its seed: two runs give bit-identical weights, whatever OpenBLAS thread count the
 * caller left set. Covered are the dense path and the convolution, batch-norm and residual path (whose
 * per-channel loops run on several threads). Across CPUs bit-identity is not promised: OpenBLAS picks kernels
 * per CPU.
 */
class TrainingReproducibilityTest {
    private static final Path DATA = Fixtures.projectDir().resolve("sample-models/data");

    private static ImageSet bundled(String images, int count, double scale) throws IOException {
        IdxBatch b = IdxDataset.open(DATA.resolve(images)).readAll();
        ImageSet all = new ImageSet(b.pixels(), b.labels(), b.count(), b.rows(), b.cols());
        int[] first = new int[count];
        Arrays.setAll(first, i -> i);
        ImageSet set = all.select(first);
        return set.normalised(Preprocessing.fit(set.values(), scale));
    }

    private static List<float[]> train(Function<Random, Network> arch, ImageSet data, Trainer.Config cfg) {
        Network net = arch.apply(new Random(cfg.seed()));
        Trainer.train(net, data, cfg, e -> { });
        List<float[]> weights = new ArrayList<>();
        net.params().forEach(p -> weights.add(p.value.clone()));
        // Inference logits also depend on the batch-norm running statistics.
        weights.add(net.forward(Arrays.copyOf(data.values(), 8 * data.imageSize()), 8, false).data);
        return weights;
    }

    private static void assertBitIdentical(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "tensor " + i);
        }
    }

    @Test
    void digitsMlpOnThreeHundredImagesIsBitIdenticalAcrossRuns() throws IOException {
        ImageSet data = bundled("digits/digits-test-images-idx3-ubyte.gz", 300, 1 / 16.0);
        Trainer.Config cfg = new Trainer.Config(1, 32, 3e-3, 7);
        List<float[]> first = train(Architectures::digitsMlp, data, cfg);
        List<float[]> second = train(Architectures::digitsMlp, data, cfg);
        assertBitIdentical(first, second);
        List<float[]> otherSeed = train(Architectures::digitsMlp, data, new Trainer.Config(1, 32, 3e-3, 8));
        assertFalse(Arrays.equals(first.get(0), otherSeed.get(0)), "another seed gives other weights");
    }

    @Test
    void theCallersBlasThreadCountDoesNotChangeTheWeights() throws IOException {
        ImageSet data = bundled("digits/digits-test-images-idx3-ubyte.gz", 300, 1 / 16.0);
        Trainer.Config cfg = new Trainer.Config(1, 32, 3e-3, 7);
        Blas blas = Nd4j.factory().blas();
        int threads = blas.getMaxThreads();
        try {
            blas.setMaxThreads(2);
            List<float[]> two = train(Architectures::digitsMlp, data, cfg);
            assertEquals(2, blas.getMaxThreads(), "training restores the caller's setting");
            blas.setMaxThreads(1);
            assertBitIdentical(two, train(Architectures::digitsMlp, data, cfg));
        } finally {
            blas.setMaxThreads(threads);
        }
    }

    @Test
    void residualCnnStepsAreBitIdenticalAcrossRuns() throws IOException {
        ImageSet data = bundled("fashion-mnist/t10k-images-idx3-ubyte.gz", 64, 1 / 255.0);
        Trainer.Config cfg = new Trainer.Config(1, 32, 3e-3, 7);
        assertBitIdentical(train(Architectures::resnetMini, data, cfg), train(Architectures::resnetMini, data, cfg));
    }
}
