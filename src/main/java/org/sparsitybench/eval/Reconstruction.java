package org.sparsitybench.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.reconstruct.Hessian;
import org.sparsitybench.prune.reconstruct.LayerMatrix;
import org.sparsitybench.prune.reconstruct.MaskedLeastSquares;
import org.sparsitybench.prune.reconstruct.ReconstructionError;
import org.sparsitybench.prune.reconstruct.SparseGpt;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Recovers accuracy after pruning without training, layer by layer on calibration samples run through ONNX
 * Runtime: SparseGPT for the layers whose method is {@code sparsegpt}/{@code sparsegpt-nm} (mask and weights),
 * masked least squares for the other pruned layers ({@link Options#reconstruct}), both solved towards the dense
 * model's layer output on the same samples: SparseGPT runs on {@link MaskedLeastSquares#towardsDense} of the
 * weights, with rows scaled by the BatchNorm after the layer when there is one (bias correction
 * {@code b += E[x_dense]·Wᵀ − E[x]·Ŵᵀ}), and BatchNormalization
 * statistics re-estimated on the pruned model ({@link Options#recalibrateBn}; a Conv without a BatchNorm after it
 * gets the bias correction instead). Steps run in graph order and each one captures its inputs
 * from the model with every earlier step applied (sequential mode). The engine's per-layer count is kept: a
 * SparseGPT layer prunes exactly as many weights as the engine's mask did.
 */
public final class Reconstruction {
    private Reconstruction() {
    }

    /**
     * @param reconstruct    least-squares reconstruction of the kept weights of every non-SparseGPT layer that is not
     *                       excluded, pruned or not (its inputs changed when a layer before it was pruned)
     * @param biasCorrection add {@code E[x]·(W − Ŵ)ᵀ} to each reconstructed layer's bias
     * @param recalibrateBn  re-estimate every BatchNormalization's mean and variance on the pruned model
     * @param settings       SparseGPT block size and damping share (also the least-squares damping)
     * @param meanCompensation correct the bias of Wanda layers ({@link #compensatesMean}) even without
     *                         {@code biasCorrection}
     */
    public record Options(boolean reconstruct, boolean biasCorrection, boolean recalibrateBn, SparseGpt.Settings settings,
                          boolean meanCompensation) {
        /** With Wanda's mean compensation. */
        public Options(boolean reconstruct, boolean biasCorrection, boolean recalibrateBn, SparseGpt.Settings settings) {
            this(reconstruct, biasCorrection, recalibrateBn, settings, true);
        }

        public static Options of(boolean reconstruct, boolean biasCorrection, boolean recalibrateBn) {
            return new Options(reconstruct, biasCorrection, recalibrateBn, SparseGpt.Settings.DEFAULT);
        }

        /** The same options, Wanda layers' mean compensation off. */
        public Options withoutMeanCompensation() {
            return new Options(reconstruct, biasCorrection, recalibrateBn, settings, false);
        }

        /** Whether the bias of a layer pruned by {@code method} is corrected. */
        boolean corrects(String method) {
            return biasCorrection || meanCompensation && compensatesMean(method);
        }
    }

    /**
     * One layer's outcome. Errors are {@code ‖XWᵀ − XŴᵀ‖² / ‖XWᵀ‖²} over the calibration inputs that layer saw.
     *
     * @param mode          "sparsegpt", "least-squares", "mask" (bias correction only) or "skipped"
     * @param errorMaskOnly the final mask applied to the dense weights
     * @param errorAfter    the weights written
     * @param againstDense  whether the errors compare with the dense model's layer output
     *                      {@code ‖X_dense Wᵀ − X Ŵᵀ‖² / ‖X_dense Wᵀ‖²} (every reconstructed layer now) rather than
     *                      with the dense weights on the pruned model's inputs
     * @param percDamp      damping share used ({@code λ = percDamp · mean diag H}); NaN when skipped
     * @param bias          the bias tensor corrected, or null
     * @param note          why a layer was skipped or its bias not corrected, or null
     */
    public record LayerReport(String name, String mode, long pruned, double errorMaskOnly, double errorAfter,
                              boolean againstDense, double percDamp, String bias, String note) {
    }

    /**
     * @param masks    every mask, the engine's except where SparseGPT chose its own
     * @param values   the values to write: the engine's pruned values with every changed weight, bias and
     *                 BatchNorm statistic replaced
     * @param samples  calibration samples used
     * @param batchNorms BatchNormalization nodes whose statistics were re-estimated
     */
    public record Result(Map<String, Mask> masks, Map<String, TensorData> values, List<LayerReport> layers,
                         List<String> batchNorms, int samples) {
    }

    /**
     * Methods whose pruned weights' mean contribution goes into the bias whatever the options say: the Wanda
     * methods score {@code |W_ij|·‖X_j − μ_j‖₂} (centred, {@link ActivationNorms}), which is what pruning costs
     * only once {@code Σ_j μ_j·(W_ij − Ŵ_ij)} is added back (mean compensation, as FLAP does; here the
     * sequential bias correction {@code E[x_dense]·W − E[x]·Ŵ}, which is that and the drift of the layers before).
     */
    public static boolean compensatesMean(String method) {
        return org.sparsitybench.prune.method.WandaMethod.isWanda(method);
    }

    /**
     * The layers {@link #run} would correct the bias of but that have none to correct (no Gemm C, no Conv B and no
     * BatchNormalization after it, no Add after a MatMul), with their output channels: the bias
     * {@link org.sparsitybench.formats.onnx.OnnxBiases} creates before the run. Float32 weights of main-graph nodes
     * only.
     *
     * @param model   the model the engine pruned (not modified)
     * @param pruning its result (not modified)
     */
    public static Map<String, Long> missingBiases(Model model, PruningResult pruning, Options options) {
        Map<String, GraphNode> consumer = new HashMap<>();
        for (GraphNode n : model.graph().nodes()) {
            if (n.inputs().size() > 1) {
                consumer.putIfAbsent(n.input(1), n);
            }
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (LayerResult lr : pruning.layers()) {
            boolean correct = options.corrects(lr.method());
            GraphNode node = consumer.get(lr.name());
            Optional<WeightTensor> t = model.tensor(lr.name());
            if (lr.status() == LayerResult.Status.EXCLUDED || !correct || !(isSparseGpt(lr.method()) || lr.pruned() > 0)
                    || node == null || t.isEmpty() || t.get().dtype() != org.sparsitybench.model.DType.FLOAT
                    || !Set.of("Gemm", "Conv", "MatMul").contains(node.opType())
                    || !node.opType().equals("MatMul") && node.inputs().size() > 2 && !node.input(2).isEmpty()) {
                continue;
            }
            LayerMatrix lm;
            try {
                lm = LayerMatrix.of(node, t.get());
            } catch (IllegalArgumentException e) {
                continue; // not a layer reconstruction handles: nothing would be corrected
            }
            if (findBias(model, node, lm).isEmpty()) {
                out.put(lr.name(), (long) lm.rows() * lm.groups());
            }
        }
        return out;
    }

    /** Methods whose masks and weights this class chooses itself. */
    public static boolean isSparseGpt(String method) {
        return method != null && method.startsWith("sparsegpt");
    }

    /**
     * @param model       the dense model (not modified)
     * @param pruning     the engine's result for {@code model}
     * @param values      its pruned values ({@link PruningResult#prunedValues}; not modified)
     * @param calibration calibration samples (the validation split), the first {@code samples} used
     * @param nmPattern   the N:M pattern of {@code sparsegpt-nm} layers, e.g. "2:4"
     */
    public static Result run(Model model, ModelCard card, PruningResult pruning, Map<String, TensorData> values,
                             LabeledData calibration, int samples, String nmPattern, Options options,
                             ProgressListener progress, CancellationToken cancel) throws Exception {
        Map<String, GraphNode> consumer = new HashMap<>();
        for (GraphNode n : model.graph().nodes()) {
            if (n.inputs().size() > 1) {
                consumer.putIfAbsent(n.input(1), n);
            }
        }
        Map<String, LayerResult> byName = new HashMap<>();
        pruning.layers().forEach(l -> byName.put(l.name(), l));
        List<LayerReport> reports = new ArrayList<>();
        // Which layers reconstruct, and how each one's bias is found.
        Map<String, LayerMatrix> matrices = new LinkedHashMap<>();
        Map<String, String> biasOf = new HashMap<>();
        Map<String, Double> biasScale = new HashMap<>();
        Set<String> parameters = new LinkedHashSet<>(values.keySet());
        for (WeightTensor t : model.prunableTensors()) {
            LayerResult lr = byName.get(t.name());
            if (lr == null || lr.status() == LayerResult.Status.EXCLUDED) {
                continue;
            }
            boolean sgpt = isSparseGpt(lr.method());
            boolean correct = options.corrects(lr.method());
            // With --reconstruct a layer nothing was pruned from is still re-solved: its inputs lost what the layers
            // before it lost (a structured cut removes whole input channels), and the consumer of removed channels
            // is where they can be made up for, as SparseGPT does within a layer.
            boolean keptWhole = lr.pruned() == 0 && !options.reconstruct();
            if (!sgpt && (keptWhole || !(options.reconstruct() || correct || options.recalibrateBn()))) {
                continue;
            }
            GraphNode node = consumer.get(t.name());
            try {
                if (node == null) {
                    throw new IllegalArgumentException(t.name() + " is not the weight operand of a main-graph node");
                }
                matrices.put(t.name(), LayerMatrix.of(node, t));
                parameters.add(t.name());
            } catch (IllegalArgumentException e) {
                reports.add(new LayerReport(t.name(), "skipped", lr.pruned(), Double.NaN, Double.NaN, false, Double.NaN, null,
                        e.getMessage() + (sgpt ? "; the engine's magnitude mask is kept" : "")));
                continue;
            }
            // A Conv whose BatchNorm was folded into it has no statistics to re-estimate: its bias is corrected.
            boolean folded = options.recalibrateBn() && node.opType().equals("Conv") && model.graph()
                    .consumers(node.outputs().get(0)).stream().noneMatch(c -> c.opType().equals("BatchNormalization"));
            // A layer kept whole (re-solved because a cut removed its inputs) has its bias corrected too; the
            // compacted export writes that bias although no channel of it is removed.
            if (correct || folded) {
                findBias(model, node, matrices.get(t.name())).ifPresent(b -> {
                    biasOf.put(t.name(), b.name());
                    biasScale.put(t.name(), b.scale());
                    parameters.add(b.name());
                });
            }
        }
        List<GraphNode> batchNorms = new ArrayList<>();
        if (options.recalibrateBn()) {
            for (GraphNode n : model.graph().nodes()) {
                if (n.opType().equals("BatchNormalization") && n.inputs().size() >= 5) {
                    batchNorms.add(n);
                    parameters.add(n.input(3));
                    parameters.add(n.input(4));
                }
            }
        }
        Map<String, float[]> current = new LinkedHashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        for (String p : parameters) {
            WeightTensor t = model.tensor(p).orElseThrow(() -> new IllegalArgumentException("no tensor " + p));
            TensorData d = values.getOrDefault(p, t.data());
            current.put(p, d.readAllFloats());
            shapes.put(p, t.shape());
        }
        Map<String, float[]> original = new HashMap<>();
        for (String p : parameters) {
            original.put(p, model.tensor(p).orElseThrow().data().readAllFloats());
        }
        Map<String, Mask> masks = new LinkedHashMap<>(pruning.masks());
        Set<String> changed = new LinkedHashSet<>();
        List<String> recalibrated = new ArrayList<>();
        List<String> captured = new ArrayList<>();
        model.graph().nodes().forEach(n -> {
            if (matrices.containsKey(n.input(1)) || batchNorms.contains(n)) {
                captured.add(n.input(0));
            }
        });
        int steps = 0;
        int total = matrices.size() + batchNorms.size();
        int used;
        try (CalibrationProbe probe = CalibrationProbe.open(model, card, calibration, samples, parameters, captured)) {
            used = probe.samples();
            for (GraphNode n : model.graph().nodes()) {
                cancel.throwIfCancelled();
                if (batchNorms.contains(n)) {
                    recalibrate(probe, n, current, shapes, cancel);
                    changed.add(n.input(3));
                    changed.add(n.input(4));
                    recalibrated.add(n.name());
                    progress.progress((double) ++steps / total, "BatchNorm " + n.name());
                    continue;
                }
                LayerMatrix lm = matrices.get(n.input(1));
                if (lm == null || !consumer.get(n.input(1)).equals(n)) {
                    continue;
                }
                String name = n.input(1);
                LayerResult lr = byName.get(name);
                Hessian[] hs = new Hessian[lm.groups()];
                for (int g = 0; g < hs.length; g++) {
                    hs[g] = new Hessian(lm.cols());
                }
                // Every layer is solved towards the dense model's output on the same samples, so it also makes up
                // for what the layers before it lost. SparseGPT's objective in the paper, ‖XWᵀ − XŴᵀ‖² on the pruned
                // model's inputs X, leaves that drift in place: on fashion-resnet-mini at 70 % it compounds over
                // nine layers to 15 % accuracy, where solving towards the dense output gives over 80 %.
                List<float[]> denseX = new ArrayList<>();
                List<long[]> denseShape = new ArrayList<>();
                probe.capture(original, shapes, n.input(0), (x, shape) -> {
                    denseX.add(x);
                    denseShape.add(shape);
                }, cancel);
                int[] batch = {0};
                probe.capture(current, shapes, n.input(0), (x, shape) -> {
                    for (int g = 0; g < hs.length; g++) {
                        double[] rows = lm.inputRows(x, shape, g);
                        hs[g].addPair(rows, lm.inputRows(denseX.get(batch[0]), denseShape.get(batch[0]), g),
                                rows.length / lm.cols());
                    }
                    batch[0]++;
                }, cancel);
                float[] dense = model.tensor(name).orElseThrow().data().readAllFloats();
                float[] out = current.get(name).clone();
                Mask engineMask = masks.get(name);
                boolean sgpt = isSparseGpt(lr.method());
                long[] keptWords = new long[BitMask.wordCount(dense.length)];
                double num = 0;
                double numMask = 0;
                double den = 0;
                double damp = 0;
                String bias = biasOf.get(name);
                float[] b = bias == null ? null : current.get(bias);
                long pruned = engineMask.prunedCount();
                long[] perGroup = apportion(pruned, lm.groups());
                double[] bnScale = sgpt ? batchNormScale(model, n, lm) : null;
                for (int g = 0; g < lm.groups(); g++) {
                    double[] w = lm.matrix(dense, g);
                    double[] h = hs[g].matrix();
                    double[] wHat;
                    boolean[] mask;
                    if (sgpt) {
                        SparseGpt.Target target = lr.method().equals("sparsegpt-nm") ? nm(nmPattern, lm.segment())
                                : new SparseGpt.Count(perGroup[g], arrivedZeros(w));
                        // Rows are compared where their error counts: after the BatchNorm that scales them.
                        MaskedLeastSquares.Result towards = MaskedLeastSquares.towardsDense(w, lm.rows(), lm.cols(), h,
                                hs[g].cross(), options.settings().percDamp());
                        double[] scaled = scaleRows(towards.weights(), lm, g, bnScale, false);
                        SparseGpt.Result r = SparseGpt.prune(scaled, lm.rows(), lm.cols(), h, target, options.settings(), cancel);
                        wHat = scaleRows(r.weights(), lm, g, bnScale, true);
                        mask = r.pruned();
                        damp = Math.max(damp, r.percDamp());
                    } else {
                        mask = lm.pruned(engineMask, g);
                        if (options.reconstruct()) {
                            MaskedLeastSquares.Result r = MaskedLeastSquares.solve(w, lm.rows(), lm.cols(), h,
                                    hs[g].cross(), mask, options.settings().percDamp(), cancel);
                            wHat = r.weights();
                            damp = Math.max(damp, r.percDamp());
                        } else {
                            wHat = lm.matrix(out, g);
                        }
                    }
                    double[] masked = w.clone();
                    for (int i = 0; i < masked.length; i++) {
                        if (mask[i]) {
                            masked[i] = 0;
                        }
                    }
                    double[] cross = hs[g].cross();
                    double[] hDense = hs[g].denseMatrix();
                    double wn = ReconstructionError.energy(w, lm.rows(), lm.cols(), hDense);
                    den += wn;
                    numMask += ReconstructionError.againstDense(w, masked, lm.rows(), lm.cols(), h, cross, hDense) * wn;
                    num += ReconstructionError.againstDense(w, wHat, lm.rows(), lm.cols(), h, cross, hDense) * wn;
                    lm.write(wHat, g, out);
                    for (int r = 0; r < lm.rows(); r++) {
                        for (int c = 0; c < lm.cols(); c++) {
                            if (!mask[r * lm.cols() + c]) {
                                long e = lm.index(g, r, c);
                                keptWords[(int) (e >>> 6)] |= 1L << e;
                            }
                        }
                    }
                    if (b != null) {
                        double[] mean = hs[g].mean();
                        double[] denseMean = hs[g].denseMean();
                        double scale = biasScale.get(name);
                        for (int r = 0; r < lm.rows(); r++) {
                            if (rowRemoved(mask, r, lm.cols())) {
                                continue; // a removed channel stays removed: compaction drops it, bias and all
                            }
                            double d = 0;
                            for (int c = 0; c < lm.cols(); c++) {
                                d += denseMean[c] * w[r * lm.cols() + c] - mean[c] * wHat[r * lm.cols() + c];
                            }
                            b[lm.outputChannel(g, r)] += (float) (scale * d);
                        }
                    }
                }
                current.put(name, out);
                changed.add(name);
                if (b != null) {
                    changed.add(bias);
                }
                BitMask newMask = BitMask.adopt(dense.length, keptWords);
                masks.put(name, newMask);
                boolean correct = options.corrects(lr.method());
                String note = correct && bias == null ? "no bias to correct" : null;
                if (!sgpt && !options.reconstruct() && bias == null && !correct) {
                    // selected for a folded-BatchNorm correction but has no bias: its weights are the masked ones
                    progress.progress((double) ++steps / total, name);
                    continue;
                }
                String mode = sgpt ? "sparsegpt" : options.reconstruct() ? "least-squares" : "mask";
                reports.add(new LayerReport(name, mode, newMask.prunedCount(), den == 0 ? 0 : numMask / den,
                        den == 0 ? 0 : num / den, true, sgpt || options.reconstruct() ? damp : Double.NaN, bias, note));
                progress.progress((double) ++steps / total, "reconstructed " + name);
            }
        }
        Map<String, TensorData> outValues = new LinkedHashMap<>(values);
        for (String p : changed) {
            outValues.put(p, TensorData.ofFloats(current.get(p)));
        }
        return new Result(masks, outValues, reports, recalibrated, used);
    }

    /** Whether row {@code r} of a row-major mask (true = pruned) is pruned whole. */
    private static boolean rowRemoved(boolean[] mask, int r, int cols) {
        for (int c = 0; c < cols; c++) {
            if (!mask[r * cols + c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The factor {@code |γ_o|/√(σ²_o + ε)} a BatchNormalization that alone reads the layer's output multiplies
     * output channel {@code o} by, or null when there is none. SparseGPT chooses its mask across the rows of a
     * block by {@code w²/[H⁻¹]ᵢᵢ²}, so rows the BatchNorm amplifies must weigh more, as in the folded model.
     */
    private static double[] batchNormScale(Model model, GraphNode node, LayerMatrix lm) {
        List<GraphNode> next = model.graph().consumers(node.outputs().get(0));
        if (next.size() != 1 || !next.get(0).opType().equals("BatchNormalization") || next.get(0).inputs().size() < 5
                || !next.get(0).input(0).equals(node.outputs().get(0))) {
            return null;
        }
        GraphNode bn = next.get(0);
        Optional<WeightTensor> gamma = model.tensor(bn.input(1));
        Optional<WeightTensor> var = model.tensor(bn.input(4));
        int outputs = lm.rows() * lm.groups();
        if (gamma.isEmpty() || var.isEmpty() || gamma.get().elementCount() != outputs || var.get().elementCount() != outputs) {
            return null;
        }
        double eps = bn.attributes().get("epsilon") instanceof Number e ? e.doubleValue() : 1e-5;
        float[] gm = gamma.get().data().readAllFloats();
        float[] v = var.get().data().readAllFloats();
        double[] out = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            double f = Math.abs(gm[o]) / Math.sqrt(v[o] + eps);
            if (!(f > 0) || !Double.isFinite(f)) {
                return null; // a dead or degenerate channel: compare the raw rows
            }
            out[o] = f;
        }
        return out;
    }

    /** {@code m} (rows × cols of group g) with row r multiplied (or divided, {@code inverse}) by its channel's factor. */
    private static double[] scaleRows(double[] m, LayerMatrix lm, int g, double[] factor, boolean inverse) {
        if (factor == null) {
            return m;
        }
        double[] out = m.clone();
        for (int r = 0; r < lm.rows(); r++) {
            double f = factor[lm.outputChannel(g, r)];
            for (int c = 0; c < lm.cols(); c++) {
                out[r * lm.cols() + c] = inverse ? out[r * lm.cols() + c] / f : out[r * lm.cols() + c] * f;
            }
        }
        return out;
    }

    private static SparseGpt.NM nm(String pattern, int segment) {
        String[] p = (pattern == null ? "2:4" : pattern).split(":");
        return new SparseGpt.NM(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), segment);
    }

    /** {@code total} split over {@code parts} equal parts, the first ones one more when it does not divide. */
    private static long[] apportion(long total, int parts) {
        long[] out = new long[parts];
        for (int i = 0; i < parts; i++) {
            out[i] = total / parts + (i < total % parts ? 1 : 0);
        }
        return out;
    }

    private record Bias(String name, double scale) {
    }

    /**
     * The bias a layer's output gets: a Gemm's C (scaled by alpha/beta), a Conv's B, or the constant of the one
     * Add after a MatMul; without one, the running mean of a BatchNormalization that alone reads the output
     * (with the opposite sign); only when it is an initializer with one value per output channel.
     */
    private static Optional<Bias> findBias(Model model, GraphNode node, LayerMatrix lm) {
        long outputs = (long) lm.rows() * lm.groups();
        String name = null;
        double scale = 1;
        switch (node.opType()) {
            case "Gemm" -> {
                name = node.input(2);
                Object alpha = node.attributes().get("alpha");
                Object beta = node.attributes().get("beta");
                double a = alpha instanceof Double d ? d : 1;
                double bt = beta instanceof Double d ? d : 1;
                if (bt == 0) {
                    return Optional.empty();
                }
                scale = a / bt;
            }
            case "Conv" -> name = node.input(2);
            case "MatMul" -> {
                List<GraphNode> next = model.graph().consumers(node.outputs().get(0));
                if (next.size() == 1 && next.get(0).opType().equals("Add")) {
                    GraphNode add = next.get(0);
                    name = add.input(0).equals(node.outputs().get(0)) ? add.input(1) : add.input(0);
                }
            }
            default -> {
            }
        }
        if (name == null || name.isEmpty()) {
            // No bias, but a BatchNormalization right after: shifting its running mean by −Δb is the same shift.
            List<GraphNode> next = model.graph().consumers(node.outputs().get(0));
            if (next.size() == 1 && next.get(0).opType().equals("BatchNormalization")
                    && next.get(0).input(0).equals(node.outputs().get(0)) && next.get(0).inputs().size() >= 5) {
                name = next.get(0).input(3);
                scale = -scale;
            } else {
                return Optional.empty();
            }
        }
        Optional<WeightTensor> t = model.tensor(name);
        if (t.isEmpty() || t.get().elementCount() != outputs) {
            return Optional.empty();
        }
        return Optional.of(new Bias(name, scale));
    }

    /** Sets the node's running mean and variance to the batch statistics of its input on the calibration samples. */
    private static void recalibrate(CalibrationProbe probe, GraphNode n, Map<String, float[]> current,
                                    Map<String, long[]> shapes, CancellationToken cancel) throws Exception {
        float[] mean = current.get(n.input(3));
        float[] var = current.get(n.input(4));
        int channels = mean.length;
        double[] sum = new double[channels];
        double[] sq = new double[channels];
        long[] count = new long[1];
        probe.capture(current, shapes, n.input(0), (x, shape) -> {
            long per = 1;
            for (int i = 2; i < shape.length; i++) {
                per *= shape[i];
            }
            for (int i = 0; i < x.length; i++) {
                int c = (int) ((i / per) % channels);
                sum[c] += x[i];
                sq[c] += (double) x[i] * x[i];
            }
            count[0] += shape[0] * per;
        }, cancel);
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count[0];
            double v = Math.max(0, sq[c] / count[0] - m * m);
            mean[c] = (float) m;
            // a channel that never varies (removed upstream) keeps its variance: x = mean gives the shift alone
            if (v > 0) {
                var[c] = (float) v;
            }
        }
    }

    /** Flags of the weights that arrived as 0 (pruned first by SparseGPT), or null when there are none. */
    private static boolean[] arrivedZeros(double[] w) {
        boolean[] z = new boolean[w.length];
        boolean any = false;
        for (int i = 0; i < w.length; i++) {
            z[i] = w[i] == 0;
            any |= z[i];
        }
        return any ? z : null;
    }
}
