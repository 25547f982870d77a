package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batch training with softmax cross-entropy and Adam, the learning rate following a cosine from its
 * initial value to zero over all steps. Everything that is random comes from the seed: the batch order of each
 * epoch is a Fisher–Yates shuffle drawn from {@code new Random(seed + 1)} (the weights use {@code seed} itself),
 * and an incomplete last batch is dropped.
 *
 * <p>Reproducibility: the Java loops are sequential within each output element, and OpenBLAS runs on
 * {@link #BLAS_THREADS} thread while training, because its thread count changes how some products are summed.
 * So a run is a function of its seed on a given CPU and library build; another CPU may select other OpenBLAS
 * kernels and differ in the last bits.
 */
public final class Trainer {
    /** OpenBLAS threads during training (the process-wide setting is restored afterwards). */
    public static final int BLAS_THREADS = 1;

    /**
     * @param epochs passes over the training set
     * @param batch  images per step
     * @param lr     initial learning rate
     * @param seed   the run's seed
     */
    public record Config(int epochs, int batch, double lr, long seed) {
        public Config {
            if (epochs < 1 || batch < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("epochs " + epochs + ", batch " + batch + ", lr " + lr);
            }
        }
    }

    /** What one epoch did: mean loss and accuracy on its training batches, and its wall-clock time. */
    public record Epoch(int epoch, int epochs, double loss, double accuracy, double seconds) {
    }

    private Trainer() {
    }

    /**
     * Trains {@code net} in place.
     *
     * @param train   normalised training images (not modified)
     * @param onEpoch told after each epoch
     * @return one entry per epoch
     */
    public static List<Epoch> train(Network net, ImageSet train, Config cfg, Consumer<Epoch> onEpoch) {
        Blas blas = Nd4j.factory().blas();
        int threads = blas.getMaxThreads();
        blas.setMaxThreads(BLAS_THREADS);
        try {
            return trainPinned(net, train, cfg, onEpoch);
        } finally {
            blas.setMaxThreads(threads);
        }
    }

    private static List<Epoch> trainPinned(Network net, ImageSet train, Config cfg, Consumer<Epoch> onEpoch) {
        int size = net.inputSize();
        if (train.imageSize() != size) {
            throw new IllegalArgumentException("network takes " + size + " values per image, data has "
                    + train.imageSize());
        }
        int steps = train.count() / cfg.batch();
        if (steps == 0) {
            throw new IllegalArgumentException(train.count() + " images make no batch of " + cfg.batch());
        }
        long totalSteps = (long) steps * cfg.epochs();
        int k = net.classes();
        Adam adam = new Adam(net.params());
        Random order = new Random(cfg.seed() + 1);
        int[] perm = new int[train.count()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        float[] x = new float[cfg.batch() * size];
        int[] y = new int[cfg.batch()];
        float[] grad = new float[cfg.batch() * k];
        int[] correct = new int[1];
        List<Epoch> out = new ArrayList<>();
        long step = 0;
        for (int e = 1; e <= cfg.epochs(); e++) {
            long t0 = System.nanoTime();
            shuffle(perm, order);
            double lossSum = 0;
            long hits = 0;
            for (int s = 0; s < steps; s++) {
                for (int i = 0; i < cfg.batch(); i++) {
                    int idx = perm[s * cfg.batch() + i];
                    System.arraycopy(train.values(), idx * size, x, i * size, size);
                    y[i] = train.labels()[idx];
                }
                Activations logits = net.forward(x, cfg.batch(), true);
                lossSum += SoftmaxCrossEntropy.lossAndGradient(logits.data, y, cfg.batch(), k, grad, correct);
                hits += correct[0];
                net.backward(Activations.flat(grad, cfg.batch(), k));
                adam.step(cosine(cfg.lr(), step++, totalSteps));
            }
            Epoch done = new Epoch(e, cfg.epochs(), lossSum / steps, hits / (double) (steps * cfg.batch()),
                    (System.nanoTime() - t0) / 1e9);
            out.add(done);
            onEpoch.accept(done);
        }
        return out;
    }

    /** {@code lr·(1 + cos(π·step/total))/2}. */
    public static double cosine(double lr, long step, long total) {
        return lr * 0.5 * (1 + Math.cos(Math.PI * step / total));
    }

    public static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
