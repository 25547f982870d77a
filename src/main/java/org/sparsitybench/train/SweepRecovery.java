package org.sparsitybench.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.task.CancellationToken;

/**
 * Recovery for a sweep's points: each pruned point is fine-tuned with its masks fixed (labels only, no teacher) on
 * the train split, a seeded share of it held out as validation to pick the best epoch, exactly as
 * {@code sparsitybench finetune} and the window's Recover pane do. The samples are read and preprocessed once and
 * shared by every point.
 */
public final class SweepRecovery implements Sweep.PointRecovery {
    /** Share of the train split held out for validation. */
    public static final double VALIDATION_SHARE = 0.10;
    /** Samples per step (as the Recover pane and {@code finetune}'s default). */
    public static final int BATCH = 128;

    private final Model model;
    private final long[] sampleDims;
    private final Recovery.Data data;
    private final Recovery.Config config;

    private SweepRecovery(Model model, long[] sampleDims, Recovery.Data data, Recovery.Config config) {
        this.model = model;
        this.sampleDims = sampleDims;
        this.data = data;
        this.config = config;
    }

    /**
     * Reads at most {@code limit} samples of the train split and holds {@link #VALIDATION_SHARE} of them out
     * (seeded with {@code config.seed()}).
     *
     * @param model  the dense model the sweep prunes (not modified)
     * @param card   its preprocessing and input shape
     * @param train  the train split's file
     * @param config epochs, batch, learning rate, seed (its alpha is ignored: no teacher)
     * @throws org.sparsitybench.model.ModelFormatException when the samples do not fit the model's input
     */
    public static SweepRecovery load(Model model, ModelCard card, Path train, int limit, Recovery.Config config)
            throws IOException {
        LabeledData raw = Datasets.open(train);
        card.requireFits(raw);
        InMemoryData[] split = InMemoryData.load(raw, "train", limit).holdOut(VALIDATION_SHARE, config.seed());
        InMemoryData t = split[0];
        InMemoryData v = split[1];
        int classes = card.classes(Math.max(maxLabel(t), maxLabel(v)) + 1);
        Recovery.Data data = new Recovery.Data(RecoveredModel.preprocessed(card, t), t.labels(),
                RecoveredModel.preprocessed(card, v), v.labels(), null, classes);
        return new SweepRecovery(model, Arrays.copyOfRange(card.inputShape(), 1, card.inputShape().length), data,
                config);
    }

    /** The largest label of {@code d} (0 when empty). */
    static int maxLabel(InMemoryData d) {
        int max = 0;
        for (int l : d.labels()) {
            max = Math.max(max, l);
        }
        return max;
    }

    /** Samples trained on. */
    public int trainSamples() {
        return data.trainY().length;
    }

    /** Samples held out for validation. */
    public int validationSamples() {
        return data.validationY().length;
    }

    @Override
    public int epochs() {
        return config.epochs();
    }

    @Override
    public Map<String, TensorUpdate> recover(Map<String, TensorData> values, CancellationToken cancel) {
        GraphNetwork net = OnnxGraphReader.read(model, sampleDims, false);
        MaskedPruning.applyValues(net, model, values);
        Recovery.run(net, model, data, config, null, e -> { }, cancel);
        return RecoveredModel.updates(model, net);
    }
}
