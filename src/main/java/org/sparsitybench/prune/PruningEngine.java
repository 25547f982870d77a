package org.sparsitybench.prune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.alloc.Apportion;
import org.sparsitybench.prune.alloc.Erk;
import org.sparsitybench.prune.alloc.LayerNormalized;
import org.sparsitybench.prune.mask.ConstantMask;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.method.NmMethod;
import org.sparsitybench.prune.method.NmPattern;
import org.sparsitybench.prune.method.SparseGptMethod;
import org.sparsitybench.prune.method.StructuredMethod;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.SelectionStats;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.prune.structure.ChannelGroup;
import org.sparsitybench.prune.structure.ChannelSelection;
import org.sparsitybench.prune.structure.ChannelSlice;
import org.sparsitybench.prune.structure.ChannelStructure;
import org.sparsitybench.prune.structure.StructuredSelection;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Runs a {@link PruningConfig} on a model: decides how many weights each layer loses, selects them, and reports
 * per-layer results and masks. The layers are the model's prunable tensors, in model order.
 *
 * <p>Budget: with {@code N} the weights of the non-excluded layers, exactly {@code K = round(target · N)} (half to
 * even) are pruned. Locked and overridden layers are fixed at {@code round(s_l · n_l)}; excluded layers stay
 * dense; the remaining {@code K − Σ fixed} is spread over the free layers by the {@link Allocation}, rounded so
 * the total is exact. When no split can reach {@code K} (say, every layer is locked), the result says so
 * ({@link PruningResult#targetMet()} false, with a message) instead of failing.
 *
 * <p>Score histograms are cached in the engine's {@link ScoreCache}, so runs after the first (a moving slider)
 * cost a lookup per layer plus, without bin indexes, one pass per layer's cut bin. A run never changes an
 * earlier result; a cancelled run publishes nothing.
 */
public final class PruningEngine {
    /**
     * Largest share of their weights the free (allocated) layers prune to make up the global target when other
     * layers are locked or overridden; beyond it the target is not met and {@link PruningResult#messages()} says so.
     */
    public static final double MAX_REDISTRIBUTED = 0.99;

    private final Model model;
    private final ScoreCache cache;
    private final SensitivityAllocation sensitivity;
    private final Map<String, FeatureNorms> activations;
    private volatile ChannelStructure structure;

    /** An engine with its own cache (no bin indexes), no sensitivity levels and no calibration. */
    public PruningEngine(Model model) {
        this(model, new ScoreCache(false), null);
    }

    /** An engine without calibration norms (so without Wanda). */
    public PruningEngine(Model model, ScoreCache cache, SensitivityAllocation sensitivity) {
        this(model, cache, sensitivity, Map.of());
    }

    /**
     * @param model       the model (not modified)
     * @param cache       histogram cache to use and fill
     * @param sensitivity levels for {@link Allocation#SENSITIVITY}, or null when there are none yet
     * @param activations calibration norms of each layer's input by tensor name, for Wanda (not modified; layers
     *                    absent have none)
     */
    public PruningEngine(Model model, ScoreCache cache, SensitivityAllocation sensitivity,
                         Map<String, FeatureNorms> activations) {
        this.model = Objects.requireNonNull(model, "model");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.sensitivity = sensitivity;
        this.activations = Map.copyOf(activations);
    }

    /** The model's channel structure, analysed on first use. */
    public ChannelStructure structure() {
        ChannelStructure s = structure;
        if (s == null) {
            s = ChannelStructure.analyze(model);
            structure = s;
        }
        return s;
    }

    public Model model() {
        return model;
    }

    public ScoreCache cache() {
        return cache;
    }

    /** A layer during one run. */
    private static final class Entry {
        final WeightTensor tensor;
        final LayerInput input;
        final PruningMethod method;
        final LayerResult.Status status;
        final double level;
        long k;
        double requested;
        Threshold pooledThreshold;
        BitMask pooledBits;
        ScoreFunction pooledScore;

        Entry(WeightTensor tensor, LayerInput input, PruningMethod method, LayerResult.Status status, double level) {
            this.tensor = tensor;
            this.input = input;
            this.method = method;
            this.status = status;
            this.level = level;
        }

        long n() {
            return tensor.elementCount();
        }
    }

    /**
     * Runs {@code config}.
     *
     * @param config   what to do (not modified)
     * @param progress told the fraction done, per layer
     * @param cancel   checked per layer and per chunk of weights
     * @throws IllegalArgumentException if the configuration names an unknown method
     * @throws IllegalStateException    for {@link Allocation#SENSITIVITY} without sensitivity levels, or Wanda on
     *                                  a layer without calibration norms
     * @throws org.sparsitybench.task.CancelledException if cancelled
     */
    public PruningResult run(PruningConfig config, ProgressListener progress, CancellationToken cancel) {
        Objects.requireNonNull(config, "config");
        GlobalSettings global = config.global();
        List<String> messages = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<WeightTensor> tensors = model.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            WeightTensor t = tensors.get(i);
            if (!t.prunable() || !t.dtype().isNumericReal()) {
                continue;
            }
            seen.add(t.name());
            LayerSettings s = config.layer(t.name());
            PruningMethod method = PruningMethods.byId(s.method() != null ? s.method() : global.method());
            LayerResult.Status status;
            double level = 0;
            if (s.excluded()) {
                status = LayerResult.Status.EXCLUDED;
            } else if (s.locked()) {
                status = LayerResult.Status.LOCKED;
                if (s.sparsity() == null) {
                    messages.add(t.name() + ": locked without a level; kept dense");
                } else {
                    level = s.sparsity();
                }
            } else if (s.sparsity() != null) {
                status = LayerResult.Status.OVERRIDDEN;
                level = s.sparsity();
            } else {
                status = LayerResult.Status.ALLOCATED;
            }
            entries.add(new Entry(t, new LayerInput(t, i, global.seed(), cache, global.nmPattern(),
                    activations.get(t.name())), method, status, level));
        }
        for (String name : config.layers().keySet()) {
            if (!seen.contains(name)) {
                messages.add("the configuration names '" + name + "', which is not a prunable tensor of the model");
            }
        }

        long selected = 0;
        long fixedPruned = 0;
        List<Entry> free = new ArrayList<>();
        for (Entry e : entries) {
            switch (e.status) {
                case EXCLUDED -> e.k = 0;
                case LOCKED, OVERRIDDEN -> {
                    e.k = roundHalfEven(e.level * e.n());
                    e.requested = e.level;
                    fixedPruned += e.k;
                }
                case ALLOCATED -> free.add(e);
            }
            if (e.status != LayerResult.Status.EXCLUDED) {
                selected += e.n();
            }
        }
        long target = roundHalfEven(global.target() * selected);
        long freeSize = free.stream().mapToLong(Entry::n).sum();
        long freeBudget = target - fixedPruned;
        // A row override (or lock) is an override: the other layers make up the global target only up to
        // MAX_REDISTRIBUTED, never silently to 100 % (a fully pruned layer gives chance-level accuracy); beyond it
        // the target is reported as not met.
        boolean anyFixed = entries.stream().anyMatch(e -> e.status == LayerResult.Status.LOCKED
                || e.status == LayerResult.Status.OVERRIDDEN);
        long freeCap = anyFixed ? (long) Math.floor(MAX_REDISTRIBUTED * freeSize) : freeSize;
        if (freeBudget < 0 || freeBudget > freeCap) {
            long clamped = Math.max(0, Math.min(freeCap, freeBudget));
            messages.add(String.format(Locale.ROOT, "target %s (%d of %d weights) cannot be met: locked and "
                            + "overridden layers prune %d, the %d free layers hold %d; they prune %d%s",
                    global.target(), target, selected, fixedPruned, free.size(), freeSize, clamped,
                    freeBudget > freeCap && freeCap < freeSize ? String.format(Locale.ROOT,
                            " (at most %.0f %% of their weights, so none is pruned away entirely)",
                            100 * MAX_REDISTRIBUTED) : freeBudget < 0 ? " (the overrides alone exceed the target)" : ""));
            freeBudget = clamped;
        }

        for (Entry e : entries) {
            if (e.method instanceof WandaMethod && e.status != LayerResult.Status.EXCLUDED && e.input.activations() == null) {
                throw new IllegalStateException(WandaMethod.missing(e.tensor.name()));
            }
        }

        ProgressListener scoring = progress.range(0, 0.7);
        allocate(global, free, freeBudget, freeSize, scoring, cancel, messages);

        Map<String, BitMask> channelMasks = new HashMap<>();
        Set<String> byGroup = new HashSet<>();
        ChannelSelection channels = channelGroups(entries, channelMasks, byGroup, messages, global.channelMultiple(),
                cancel);

        ProgressListener selecting = progress.range(0.7, 1);
        List<LayerResult> results = new ArrayList<>(entries.size());
        Map<String, Mask> masks = new LinkedHashMap<>();
        long pruned = 0;
        for (int i = 0; i < entries.size(); i++) {
            cancel.throwIfCancelled();
            Entry e = entries.get(i);
            selecting.progress((double) i / entries.size(), e.tensor.name() + ": selecting");
            Mask mask;
            if (e.status == LayerResult.Status.EXCLUDED) {
                mask = ConstantMask.allKept(e.n());
            } else if (byGroup.contains(e.tensor.name())) {
                BitMask m = channelMasks.get(e.tensor.name());
                mask = m == null ? ConstantMask.allKept(e.n()) : m;
            } else {
                if (e.method == NmMethod.INSTANCE && e.status == LayerResult.Status.ALLOCATED) {
                    // The pattern decides an allocated layer's level, whatever the target (0 included): only a
                    // row's own 0 keeps an nm layer dense.
                    int[] nm = NmPattern.parse(global.nmPattern());
                    e.k = e.n();
                    e.requested = (double) (nm[1] - nm[0]) / nm[1];
                }
                mask = e.pooledThreshold != null
                        ? new ThresholdMask(e.tensor.data(), e.pooledScore, e.pooledThreshold, e.pooledBits)
                        : e.method.select(e.input, e.k, cancel);
                BitMask m = channelMasks.get(e.tensor.name());
                if (m != null) { // another method's layer inside a pruned channel group loses the channels too
                    mask = StructuredSelection.and(mask.toBitMask(), m);
                }
            }
            if (e.status == LayerResult.Status.ALLOCATED && e.method != NmMethod.INSTANCE) {
                e.requested = e.n() == 0 ? 0 : (double) e.k / e.n();
            }
            if (e.k > 0 && (e.method == NmMethod.INSTANCE || e.method == SparseGptMethod.NM)) {
                int[] nm = NmPattern.parse(global.nmPattern());
                String why = NmPattern.shortfall(e.tensor, nm[0], nm[1]);
                if (why != null) {
                    messages.add(why);
                }
            }
            double energy = energyRetained(e, mask, cancel);
            // Zeros already in the file are the starting point: a layer holds only what its mask keeps of its
            // non-zeros, so that is what it reports (a 97 % zero weight pruned "to 50 %" is 97 % zero).
            long kept = mask.keptCount();
            long keptZeros = mask.keptZeros();
            if (keptZeros >= 0) {
                kept -= keptZeros; // a |w| cut knows its zeros: no pass over the weights
            } else if (kept > 0 && e.tensor.stats().zeros() > 0) {
                kept = Masking.keptNonZeros(e.tensor.data(), mask, cancel);
            }
            results.add(new LayerResult(e.tensor.name(), e.method.id(), e.status, e.requested,
                    e.n() == 0 ? mask.sparsity() : 1 - (double) kept / e.n(), e.n(), kept, energy));
            masks.put(e.tensor.name(), mask);
            pruned += mask.prunedCount();
        }
        progress.progress(1, "done");
        boolean met = pruned == target;
        boolean patternDecides = entries.stream().anyMatch(e -> e.method == NmMethod.INSTANCE
                && e.status == LayerResult.Status.ALLOCATED);
        // With nm the pattern decides, not the target (the window and prune say so): a count that differs from the
        // target is no news; only the layers the pattern cannot reach are (messages above).
        if (!met && messages.isEmpty() && !patternDecides) {
            messages.add("pruned " + pruned + " weights instead of " + target
                    + " (a method's structure does not allow the exact count)");
        }
        return new PruningResult(config, results, masks, selected, target, pruned, met, messages, channels);
    }

    /**
     * Selects the channels of every channel group whose sources use a structured method. A group prunes
     * {@code round(s_g · channels)} channels, {@code s_g = Σ k / Σ params} over its sources (so with a uniform
     * allocation every group loses the target share of its channels, row granularity; other allocations weight
     * the share by their per-layer budgets), keeping at least one channel so the network stays connected. A group
     * stays whole when it reaches a graph output, or when one of its sources or zeroed followers is excluded or
     * uses another method (message). Masks of the group's prunable tensors go to {@code masks}; the names of the
     * structured layers the groups decide go to {@code byGroup}.
     *
     * @return the kept channels, or null when no layer is structured
     */
    private ChannelSelection channelGroups(List<Entry> entries, Map<String, BitMask> masks, Set<String> byGroup,
                                           List<String> messages, int channelMultiple, CancellationToken cancel) {
        Map<String, Entry> byName = new HashMap<>();
        boolean any = false;
        for (Entry e : entries) {
            byName.put(e.tensor.name(), e);
            any |= e.method instanceof StructuredMethod && e.status != LayerResult.Status.EXCLUDED;
        }
        if (!any) {
            return null;
        }
        ChannelStructure s = structure();
        Map<Integer, boolean[]> keep = new LinkedHashMap<>();
        List<Cut> cuts = new ArrayList<>();
        for (ChannelGroup g : s.groups()) {
            cancel.throwIfCancelled();
            StructuredMethod method = null;
            String obstacle = null;
            long k = 0;
            long n = 0;
            long zeros = 0;
            boolean structuredSource = false;
            for (String src : g.sources()) {
                Entry e = byName.get(src);
                if (e == null) {
                    obstacle = src + " is not a prunable layer";
                    continue;
                }
                if (e.method instanceof StructuredMethod sm) {
                    structuredSource = true;
                    byGroup.add(src);
                    if (method == null) {
                        method = sm;
                    } else if (method != sm && obstacle == null) {
                        obstacle = "its sources mix " + method.id() + " and " + sm.id();
                    }
                } else if (obstacle == null) {
                    obstacle = src + " uses " + e.method.id();
                }
                if (e.status == LayerResult.Status.EXCLUDED && obstacle == null) {
                    obstacle = src + " is excluded";
                }
                k += e.k;
                n += e.n();
                zeros += e.k > 0 ? e.tensor.stats().zeros() : 0;
            }
            if (!structuredSource) {
                continue;
            }
            for (ChannelSlice slice : g.slices()) {
                Entry f = byName.get(slice.tensor());
                if (slice.zeroed() && f != null && !g.sources().contains(slice.tensor())) {
                    if (f.status == LayerResult.Status.EXCLUDED && obstacle == null) {
                        obstacle = f.tensor.name() + " follows its channels and is excluded";
                    }
                    if (f.method instanceof StructuredMethod) {
                        byGroup.add(f.tensor.name());
                    }
                }
            }
            if (obstacle == null && g.pinned()) {
                obstacle = "its channels reach a graph output";
            }
            if (obstacle != null) {
                if (k > 0) {
                    messages.add("channel group " + g.sources() + " is kept whole: " + obstacle);
                }
                continue;
            }
            // Zeros already in the file count towards k: the channels removed make up only the rest, at the
            // sources' share of non-zeros per channel (a 97 % zero layer asked for 50 % loses no channel).
            int remove = n == 0 || k <= zeros ? 0 : (int) Math.min(g.channels() - 1L,
                    roundHalfEven((double) (k - zeros) / (n - zeros) * g.channels()));
            boolean conv = g.sources().stream().allMatch(src -> "Conv".equals(model.tensor(src).orElseThrow().op()));
            cuts.add(new Cut(g, method, remove, conv, (double) n / g.channels()));
        }
        // Conv groups keep multiples of channelMultiple, the weights they remove together as near as the multiples
        // allow to what they were asked (ChannelRounding.removeKeepingTotal); other groups keep their counts.
        List<Cut> rounded = cuts.stream().filter(Cut::conv).toList();
        int[] roundedRemove = ChannelRounding.removeKeepingTotal(rounded.stream().mapToInt(c -> c.group.channels()).toArray(),
                rounded.stream().mapToInt(Cut::remove).toArray(), rounded.stream().mapToDouble(Cut::weightsPerChannel)
                        .toArray(), channelMultiple);
        Map<ChannelGroup, Integer> removeOf = new HashMap<>();
        for (int i = 0; i < rounded.size(); i++) {
            removeOf.put(rounded.get(i).group, roundedRemove[i]);
        }
        for (Cut c : cuts) {
            int remove = removeOf.getOrDefault(c.group, c.remove);
            if (remove <= 0) {
                continue;
            }
            cancel.throwIfCancelled();
            boolean[] kept = StructuredSelection.keep(model, c.group, c.method.norm(), remove, cancel);
            keep.put(c.group.id(), kept);
            StructuredSelection.masks(model, c.group, kept).forEach((name, m) -> masks.merge(name, m, StructuredSelection::and));
        }
        return new ChannelSelection(s, keep);
    }

    /** A channel group's cut as allocated, before rounding: channels to remove, whether its sources are all Convs. */
    private record Cut(ChannelGroup group, StructuredMethod method, int remove, boolean conv, double weightsPerChannel) {
    }

    /** Sets {@code k} (or a pooled threshold) for every free layer, {@code Σ k = budget}. */
    private void allocate(GlobalSettings global, List<Entry> free, long budget, long freeSize,
                          ProgressListener progress, CancellationToken cancel, List<String> messages) {
        if (free.isEmpty()) {
            return;
        }
        long[] caps = free.stream().mapToLong(Entry::n).toArray();
        double share = freeSize == 0 ? 0 : (double) budget / freeSize;
        switch (global.allocation()) {
            case UNIFORM -> assign(free, Apportion.apportion(uniform(caps, share), caps, budget));
            case ERK -> {
                long[][] shapes = free.stream().map(e -> e.tensor.shape()).toArray(long[][]::new);
                double[] density = Erk.densities(shapes, 1 - share);
                double[] quotas = new double[caps.length];
                for (int l = 0; l < caps.length; l++) {
                    quotas[l] = caps[l] * (1 - density[l]);
                }
                assign(free, Apportion.apportion(quotas, caps, budget));
            }
            case SENSITIVITY -> {
                if (sensitivity == null) {
                    throw new IllegalStateException("allocation 'sensitivity' needs sensitivity levels; run a "
                            + "sensitivity analysis first");
                }
                Map<String, Double> levels = sensitivity.levels(free.stream().map(e -> e.tensor).toList(), share);
                double[] quotas = new double[caps.length];
                for (int l = 0; l < caps.length; l++) {
                    Double s = levels.get(free.get(l).tensor.name());
                    double level = s == null ? share : s;
                    if (!(level >= 0 && level <= 1)) {
                        throw new IllegalArgumentException("sensitivity level " + level + " of "
                                + free.get(l).tensor.name() + " outside [0, 1]");
                    }
                    quotas[l] = level * caps[l];
                }
                assign(free, Apportion.apportion(quotas, caps, budget));
            }
            case GLOBAL, LAYER_NORMALIZED -> pooled(global.allocation(), free, budget, share, progress, cancel,
                    messages);
        }
    }

    /** One threshold over the free layers that have element scores; the others get the uniform share first. */
    private void pooled(Allocation allocation, List<Entry> free, long budget, double share,
                        ProgressListener progress, CancellationToken cancel, List<String> messages) {
        List<Entry> pool = new ArrayList<>();
        List<ScoreFunction> scores = new ArrayList<>();
        List<Entry> others = new ArrayList<>();
        for (Entry e : free) {
            Optional<ScoreFunction> s = e.method.elementScores(e.input);
            if (s.isPresent()) {
                pool.add(e);
                scores.add(s.get());
            } else {
                others.add(e);
            }
        }
        long poolBudget = budget;
        if (!others.isEmpty()) {
            long[] caps = others.stream().mapToLong(Entry::n).toArray();
            long othersBudget = Math.min(roundHalfEven(share * sum(caps)), budget);
            othersBudget = Math.max(othersBudget, budget - pool.stream().mapToLong(Entry::n).sum());
            assign(others, Apportion.apportion(uniform(caps, share), caps, othersBudget));
            poolBudget -= othersBudget;
            messages.add(others.size() + " free layers have no per-element scores for a " + allocation.name()
                    .toLowerCase(Locale.ROOT) + " threshold; they are pruned uniformly");
        }
        if (pool.isEmpty()) {
            return;
        }
        Map<String, Integer> methods = new HashMap<>();
        pool.forEach(e -> methods.merge(e.method.id(), 1, Integer::sum));
        if (methods.size() > 1) {
            messages.add("one " + allocation.name().toLowerCase(Locale.ROOT) + " threshold compares scores of "
                    + "different methods " + methods.keySet());
        }
        if (allocation == Allocation.GLOBAL) {
            List<ExactSelector.Selection> cuts = cache.select(pool.stream().map(e -> e.tensor).toList(), scores,
                    poolBudget, progress, cancel);
            for (int l = 0; l < pool.size(); l++) {
                Entry e = pool.get(l);
                e.pooledThreshold = cuts.get(l).threshold();
                e.pooledBits = cuts.get(l).mask();
                e.pooledScore = scores.get(l);
                e.k = cuts.get(l).threshold().prunedCount();
            }
        } else {
            List<ScoreHistogram> histograms = new ArrayList<>(pool.size());
            for (int l = 0; l < pool.size(); l++) {
                progress.progress((double) l / pool.size(), pool.get(l).tensor.name() + ": scores");
                histograms.add(cache.histogram(pool.get(l).tensor, scores.get(l), cancel));
            }
            progress.progress(1, "allocation");
            long[] caps = pool.stream().mapToLong(Entry::n).toArray();
            assign(pool, Apportion.apportion(LayerNormalized.quotas(histograms, poolBudget), caps, poolBudget));
        }
    }

    private double energyRetained(Entry e, Mask mask, CancellationToken cancel) {
        if (mask instanceof ConstantMask c) {
            return c.kept() ? 1.0 : Masking.energy(e.tensor.data(), mask, cancel).retained();
        }
        if (mask instanceof ThresholdMask tm && tm.score().isMagnitude()) {
            ScoreHistogram h = cache.histogram(e.tensor, tm.score(), cancel);
            return SelectionStats.energyRetained(h, tm.threshold());
        }
        return Masking.energy(e.tensor.data(), mask, cancel).retained();
    }

    private static double[] uniform(long[] caps, double share) {
        double[] q = new double[caps.length];
        for (int l = 0; l < caps.length; l++) {
            q[l] = caps[l] * share;
        }
        return q;
    }

    private static void assign(List<Entry> entries, long[] k) {
        for (int l = 0; l < k.length; l++) {
            entries.get(l).k = k[l];
        }
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) {
            s += v;
        }
        return s;
    }

    /** {@code round(x)} with halves to even, as Python's {@code round} (the peer scripts' k). */
    static long roundHalfEven(double x) {
        return (long) Math.rint(x);
    }
}
