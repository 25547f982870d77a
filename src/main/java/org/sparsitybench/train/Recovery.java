package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Nd4j;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.task.CancellationToken;

/**
 * Fine-tuning with fixed masks, gradual pruning or distillation: mini-batch Adam (optionally with decoupled weight
 * decay) over the preprocessed training split with the learning rate following the configured schedule (by default
 * a cosine to zero), the batch order of each epoch a Fisher–Yates shuffle
 * from {@code new Random(seed + 1)} (an incomplete last batch is dropped). After each epoch the network is
 * scored on the validation split (inference mode); the best epoch by validation accuracy is kept (ties: the
 * earlier), and with gradual pruning only epochs that end at the final sparsity compete. Frozen positions
 * ({@link Param#frozen}) never move.
 *
 * <p>Gradual pruning (Zhu &amp; Gupta 2017): K mask updates at evenly spaced steps over the first half of training,
 * update k at sparsity {@link MaskedPruning#cubic}(current, target, k, K), each recomputed by the configured
 * method on the current values; the second half fine-tunes the final mask.
 */
public final class Recovery {
    /**
     * @param epochs        passes over the training split
     * @param batch         samples per step
     * @param lr            initial learning rate
     * @param seed          the run's seed (batch order)
     * @param alpha         weight of the label loss when a teacher is given (1 = labels only, 0 = teacher only)
     * @param temperature   distillation temperature T
     * @param blasThreads   OpenBLAS threads while training (1 makes a run bit-reproducible on one machine)
     * @param schedule      how the learning rate moves from {@code lr} over all steps
     * @param weightDecay   decoupled weight decay λ ≥ 0 of the weights with two or more dimensions ({@link Adam})
     */
    public record Config(int epochs, int batch, double lr, long seed, double alpha, double temperature,
                         int blasThreads, LrSchedule schedule, double weightDecay) {
        public Config {
            if (epochs < 1 || batch < 1 || !(lr > 0) || !(alpha >= 0 && alpha <= 1) || !(temperature > 0)
                    || blasThreads < 1 || schedule == null || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("epochs " + epochs + ", batch " + batch + ", lr " + lr + ", alpha "
                        + alpha + ", temperature " + temperature + ", BLAS threads " + blasThreads + ", schedule "
                        + schedule + ", weight decay " + weightDecay);
            }
        }

        /** Cosine decay to 0, no weight decay. */
        public Config(int epochs, int batch, double lr, long seed, double alpha, double temperature, int blasThreads) {
            this(epochs, batch, lr, seed, alpha, temperature, blasThreads, LrSchedule.COSINE, 0);
        }
    }

    /**
     * What one epoch did.
     *
     * @param trainLoss          mean loss over its training batches (train split)
     * @param validationAccuracy top-1 on the validation split after the epoch
     * @param validationLoss     mean cross-entropy on the validation split
     * @param sparsity           zeros over the prunable weights after the epoch
     */
    public record Epoch(int epoch, int epochs, double trainLoss, double validationAccuracy, double validationLoss,
                        double sparsity, double seconds) {
    }

    /**
     * Gradual pruning: K mask updates from the model's current sparsity to the configuration's target.
     *
     * @param model  the model the network was read from (graph and prunable tensors)
     * @param config the method, allocation and final target
     * @param steps  K ≥ 1
     */
    public record Gradual(Model model, PruningConfig config, int steps) {
    }

    /**
     * @param epochs one entry per completed epoch
     * @param best   the epoch whose weights the network holds at the end (1-based), 0 when none completed
     */
    public record Result(List<Epoch> epochs, int best) {
    }

    /** Training and validation samples, preprocessed, with labels (N_train × K teacher logits optional). */
    public record Data(float[] trainX, int[] trainY, float[] validationX, int[] validationY, float[] teacher,
                       int classes) {
    }

    private Recovery() {
    }

    /**
     * Trains {@code net} in place and leaves it holding the best epoch's values.
     *
     * @param net     the network (modified)
     * @param model   the model it was read from (not modified): which weights are prunable, for the sparsity
     * @param data    training and validation samples (not modified)
     * @param gradual the gradual schedule, or null for fixed masks
     * @param onEpoch told after each epoch
     * @param cancel  checked once per batch; when cancelled, the network holds the best completed epoch and the
     *                result lists the epochs completed
     */
    public static Result run(GraphNetwork net, Model model, Data data, Config cfg, Gradual gradual,
                             Consumer<Epoch> onEpoch, CancellationToken cancel) {
        Blas blas = Nd4j.factory().blas();
        int threads = blas.getMaxThreads();
        blas.setMaxThreads(cfg.blasThreads());
        try {
            return runPinned(net, model, data, cfg, gradual, onEpoch, cancel);
        } finally {
            blas.setMaxThreads(threads);
        }
    }

    private static Result runPinned(GraphNetwork net, Model model, Data data, Config cfg, Gradual gradual,
                                    Consumer<Epoch> onEpoch, CancellationToken cancel) {
        int size = net.inputSize();
        int count = data.trainY().length;
        int k = data.classes();
        if (data.trainX().length != (long) count * size) {
            throw new IllegalArgumentException("network takes " + size + " values per sample, training data has "
                    + data.trainX().length / Math.max(1, count));
        }
        int batch = Math.min(cfg.batch(), count);
        int steps = count / batch;
        long totalSteps = (long) steps * cfg.epochs();
        Adam adam = new Adam(net.paramList());
        Random order = new Random(cfg.seed() + 1);
        int[] perm = new int[count];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        double initialSparsity = 0;
        long[] updateAt = new long[0];
        if (gradual != null) {
            long prunable = model.prunableParams();
            initialSparsity = prunable == 0 ? 0 : (double) MaskedPruning.prunableZeros(net, model) / prunable;
            updateAt = new long[gradual.steps()];
            for (int s = 0; s < updateAt.length; s++) {
                updateAt[s] = s * (totalSteps / 2) / gradual.steps();
            }
        }
        int nextUpdate = 0;
        float[] x = new float[batch * size];
        int[] y = new int[batch];
        float[] t = data.teacher() != null ? new float[batch * k] : null;
        float[] grad = new float[batch * k];
        int[] correct = new int[1];
        List<Epoch> out = new ArrayList<>();
        Map<String, float[]> bestValues = null;
        int best = 0;
        double bestAccuracy = -1;
        long step = 0;
        for (int e = 1; e <= cfg.epochs(); e++) {
            long t0 = System.nanoTime();
            Trainer.shuffle(perm, order);
            double lossSum = 0;
            for (int s = 0; s < steps; s++) {
                if (cancel.isCancelled()) {
                    restore(net, bestValues);
                    return new Result(out, best);
                }
                if (nextUpdate < updateAt.length && step == updateAt[nextUpdate]) {
                    nextUpdate++;
                    MaskedPruning.prune(net, model, MaskedPruning.at(gradual.config(), MaskedPruning.cubic(
                            initialSparsity, gradual.config().global().target(), nextUpdate, updateAt.length)),
                            cancel);
                    adam.resetMoments();
                }
                for (int i = 0; i < batch; i++) {
                    int idx = perm[s * batch + i];
                    System.arraycopy(data.trainX(), idx * size, x, i * size, size);
                    y[i] = data.trainY()[idx];
                    if (t != null) {
                        System.arraycopy(data.teacher(), idx * k, t, i * k, k);
                    }
                }
                Activations logits = net.forward(x, batch, true);
                lossSum += Distillation.lossAndGradient(logits.data, y, t, batch, k, cfg.alpha(), cfg.temperature(),
                        grad, correct);
                net.backward(Activations.flat(grad, batch, k));
                adam.step(cfg.schedule().at(cfg.lr(), step++, totalSteps), cfg.weightDecay());
            }
            double[] val = evaluate(net, data.validationX(), data.validationY(), size, k);
            long prunable = model != null ? model.prunableParams() : 0;
            Epoch done = new Epoch(e, cfg.epochs(), lossSum / steps, val[0], val[1],
                    prunable == 0 ? Double.NaN : (double) MaskedPruning.prunableZeros(net, model) / prunable,
                    (System.nanoTime() - t0) / 1e9);
            out.add(done);
            boolean eligible = nextUpdate >= updateAt.length;
            if (eligible && val[0] > bestAccuracy) {
                bestAccuracy = val[0];
                best = e;
                bestValues = snapshot(net);
            }
            onEpoch.accept(done);
        }
        restore(net, bestValues);
        return new Result(out, best);
    }

    /** Top-1 accuracy and mean cross-entropy of the network (inference mode) on preprocessed samples. */
    public static double[] evaluate(GraphNetwork net, float[] xs, int[] ys, int size, int k) {
        int n = ys.length;
        long hits = 0;
        double loss = 0;
        int chunk = 500;
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            float[] x = java.util.Arrays.copyOfRange(xs, from * size, (from + m) * size);
            float[] logits = net.forward(x, m, false).data;
            for (int r = 0; r < m; r++) {
                int row = r * k;
                int arg = Distillation.argmax(logits, row, k);
                float max = logits[row + arg];
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(logits[row + j] - max);
                }
                int label = ys[from + r];
                loss += Math.log(sum) + max - logits[row + label];
                if (arg == label) {
                    hits++;
                }
            }
        }
        return new double[] {n == 0 ? Double.NaN : (double) hits / n, n == 0 ? Double.NaN : loss / n};
    }

    private static Map<String, float[]> snapshot(GraphNetwork net) {
        Map<String, float[]> s = new LinkedHashMap<>();
        net.tensors().forEach((name, p) -> s.put(name, p.value.clone()));
        return s;
    }

    private static void restore(GraphNetwork net, Map<String, float[]> values) {
        if (values != null) {
            net.tensors().forEach((name, p) -> System.arraycopy(values.get(name), 0, p.value, 0, p.value.length));
        }
    }
}
