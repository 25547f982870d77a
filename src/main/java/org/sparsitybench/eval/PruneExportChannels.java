package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.structure.ChannelCompactor;
import org.sparsitybench.prune.structure.ChannelGroup;
import org.sparsitybench.prune.structure.ChannelSlice;
import org.sparsitybench.prune.structure.ChannelStructure;

/**
 * Which output channels an engine result lets an export remove. A channel goes when every weight its source
 * layers produce it with is pruned, and removing it cannot change the outputs: for layers pruned by a structured
 * method ({@code *-structured}) its bias and BatchNorm entries go with it, as {@code prune --compact} does; for
 * any other method they must already be zero, because unstructured pruning leaves a channel's bias feeding the
 * next layer. The compaction check then confirms the rewrite in ONNX Runtime.
 */
public final class PruneExportChannels {
    private PruneExportChannels() {
    }

    /**
     * @param values     the masked model's values plus the removed channels' zeroed entries (add to the export's)
     * @param compaction the compacted tensors
     * @param groups     per channel group: sources, channels, removed (the report's {@code groups})
     * @param removed    channels removed in all
     */
    public record Plan(Map<String, float[]> values, ChannelCompactor.Compaction compaction, ArrayNode groups,
                       int removed) {
    }

    /**
     * @param values masked values by tensor name (not modified); tensors absent are read from the model
     * @throws UnsupportedModelException naming the node when channels to remove belong to a group the engine cannot
     *                                   rewrite, or saying why no channel can be removed
     */
    public static Plan plan(Model model, PruningConfig config, Map<String, float[]> values) {
        ChannelStructure structure = ChannelStructure.analyze(model);
        Map<String, float[]> cache = new HashMap<>(values);
        Map<Integer, boolean[]> keep = new LinkedHashMap<>();
        ArrayNode groups = new ObjectMapper().createArrayNode();
        int removedAll = 0;
        int deadButLive = 0;
        for (ChannelGroup g : structure.groups()) {
            boolean structured = g.sources().stream().allMatch(s -> structured(config, s));
            boolean[] k = new boolean[g.channels()];
            int removed = 0;
            for (int c = 0; c < k.length; c++) {
                boolean sourcesZero = true;
                boolean restZero = true;
                for (ChannelSlice s : g.slices()) {
                    if (!s.zeroed()) {
                        continue;
                    }
                    boolean zero = channelZero(model, cache, s, c);
                    if (g.sources().contains(s.tensor())) {
                        sourcesZero &= zero;
                    } else {
                        restZero &= zero;
                    }
                }
                boolean remove = sourcesZero && (structured || restZero);
                if (sourcesZero && !remove) {
                    deadButLive++;
                }
                k[c] = !remove;
                removed += remove ? 1 : 0;
            }
            if (removed == k.length) {
                // A layer with every channel pruned still needs one (all-zero) channel for a valid graph.
                k[0] = true;
                removed--;
            }
            if (removed > 0 && g.pinned()) {
                // Channels that reach a graph output are zeroed but never removed.
                java.util.Arrays.fill(k, true);
                removed = 0;
            }
            if (removed > 0 && g.refusal().isPresent()) {
                throw new UnsupportedModelException("cannot remove channels of " + g.sources() + ": "
                        + g.refusal().get());
            }
            ObjectNode o = groups.addObject();
            o.putPOJO("sources", g.sources());
            o.put("channels", g.channels());
            o.put("removed", removed);
            o.put("pinned", g.pinned());
            g.refusal().ifPresent(r -> o.put("refusal", r));
            if (removed > 0) {
                keep.put(g.id(), k);
                removedAll += removed;
            }
        }
        if (removedAll == 0) {
            throw new UnsupportedModelException(model.file() + ": nothing to compact: no output channel has all its "
                    + "weights pruned" + (deadButLive > 0 ? String.format(Locale.ROOT, " and a zero bias (%d channels "
                    + "have only weights pruned; their bias still reaches the next layer)", deadButLive) : "")
                    + "; prune whole channels (l1-structured, l2-structured) or export without compaction");
        }
        Map<String, float[]> zeroed = ChannelCompactor.zeroRemovedChannels(model, structure, keep, values);
        Map<String, float[]> merged = new LinkedHashMap<>(values);
        merged.putAll(zeroed);
        ChannelCompactor.Compaction compaction = ChannelCompactor.compact(model, structure, keep, merged);
        return new Plan(zeroed, compaction, groups, removedAll);
    }

    private static boolean structured(PruningConfig config, String tensor) {
        String m = config.layer(tensor).method();
        return (m != null ? m : config.global().method()).endsWith("-structured");
    }

    /** Whether every entry channel {@code c} owns in slice {@code s} is zero. */
    private static boolean channelZero(Model model, Map<String, float[]> cache, ChannelSlice s, int c) {
        WeightTensor t = model.tensor(s.tensor()).orElseThrow();
        float[] v = cache.computeIfAbsent(t.name(), n -> t.data().readAllFloats());
        long[] shape = t.shape();
        long outer = 1;
        for (int i = 0; i < s.axis(); i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = s.axis() + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long dim = shape.length == 0 ? 1 : shape[s.axis()];
        for (int j = 0; j < s.block(); j++) {
            long idx = s.first(c) + j;
            for (long o = 0; o < outer; o++) {
                long base = (o * dim + idx) * inner;
                for (long i = 0; i < inner; i++) {
                    if (v[(int) (base + i)] != 0f) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
