package org.sparsitybench.eval;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Accuracy, top-5, cross-entropy, per-class accuracy and the confusion matrix of a model on a dataset, batch by
 * batch. Deterministic: the same model and data give the same numbers.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * @param model    the session (not closed here)
     * @param card     preprocessing and input shape
     * @param data     labelled samples, read in batches
     * @param batch    batch size; a model whose input fixes its batch size ({@link OrtModel#fixedBatch()}) is fed
     *                 exactly that many samples per run instead, the last run padded with zeros whose outputs are
     *                 ignored
     * @param limit    evaluate at most this many samples (Integer.MAX_VALUE for all)
     * @throws ModelFormatException when a sample does not fit the model's input
     */
    public static Evaluation evaluate(OrtModel model, ModelCard card, LabeledData data, int batch, int limit,
                                      ProgressListener progress, CancellationToken cancel)
            throws IOException, OrtException {
        card.requireFits(data);
        int total = Math.min(limit, data.count());
        int classes = -1;
        long[][] confusion = null;
        long top5 = 0;
        double loss = 0;
        int seen = 0;
        int feed = model.batchFor(batch);
        try (LabeledData.Cursor cursor = data.batches(feed)) {
            for (LabeledData.Batch b = cursor.next(); b != null && seen < total; b = cursor.next()) {
                cancel.throwIfCancelled();
                int n = Math.min(b.count(), total - seen);
                float[] x = b.values();
                card.preprocessInPlace(x, n);
                long[] shape = card.inputShape().clone();
                int rows = model.fixedBatch() > 0 ? model.fixedBatch() : n;
                shape[0] = rows;
                float[] in = x.length == rows * card.sampleSize() ? x : java.util.Arrays.copyOf(x, rows * card.sampleSize());
                float[] logits;
                try {
                    logits = model.run(in, shape);
                } catch (OrtException e) {
                    throw new IOException(model.label() + ": ONNX Runtime could not run the model: " + e.getMessage(), e);
                }
                int k = logits.length / rows;
                if (classes < 0) {
                    classes = Math.max(k, card.classes(k));
                    confusion = new long[classes][classes];
                }
                for (int s = 0; s < n; s++) {
                    int label = b.labels()[s];
                    if (label < 0 || label >= k) {
                        throw new ModelFormatException(data.source(), "record " + (b.first() + s), "label " + label
                                + " outside the model's " + k + " outputs");
                    }
                    int off = s * k;
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    int greater = 0;
                    for (int c = 0; c < k; c++) {
                        float v = logits[off + c];
                        if (v > max) {
                            max = v;
                            best = c;
                        }
                        if (v > logits[off + label]) {
                            greater++;
                        }
                    }
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        sum += Math.exp(logits[off + c] - max);
                    }
                    loss += Math.log(sum) + max - logits[off + label];
                    if (greater < 5) {
                        top5++;
                    }
                    confusion[label][best]++;
                }
                seen += n;
                progress.progress((double) seen / total, seen + " / " + total + " samples");
            }
        }
        if (seen == 0) {
            throw new ModelFormatException(data.source(), "", "no samples to evaluate");
        }
        long correct = 0;
        List<Double> perClass = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) {
            long row = 0;
            for (long v : confusion[c]) {
                row += v;
            }
            correct += confusion[c][c];
            perClass.add(row == 0 ? Double.NaN : (double) confusion[c][c] / row);
        }
        return new Evaluation((double) correct / seen, (double) top5 / seen, loss / seen, seen, perClass, confusion);
    }
}
