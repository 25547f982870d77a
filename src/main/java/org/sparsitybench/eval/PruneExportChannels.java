package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.structure.ChannelCompactor;
import org.sparsitybench.prune.structure.ChannelGroup;
import org.sparsitybench.prune.structure.ChannelSelection;
import org.sparsitybench.prune.structure.ChannelSlice;
import org.sparsitybench.prune.structure.ChannelStructure;

/**
 * The one compaction planner: which output channels an engine result lets an export remove, and the report's
 * {@code groups}. A channel group the engine pruned structurally loses exactly the channels the engine removed
 * (their bias and BatchNorm entries are already zeroed in {@link PruningResult#prunedValues}). In any other group a
 * channel goes only when removing it cannot change the outputs: every weight its source layers produce it with is
 * pruned and its bias and BatchNorm entries are already zero (unstructured pruning leaves a channel's bias feeding
 * the next layer). Channels that reach a graph output are never removed. The compaction check then confirms the
 * rewrite in ONNX Runtime.
 */
public final class PruneExportChannels {
    private PruneExportChannels() {
    }

    /**
     * @param values     the removed channels' zeroed entries over the masked values, as views (add to the export's)
     * @param compaction the compacted tensors, or null when only the groups were asked for
     * @param groups     per channel group: sources, channels, removed, pinned, refusal (the report's
     *                   {@code groups})
     * @param removed    channels removed in all
     */
    public record Plan(Map<String, TensorData> values, ChannelCompactor.Compaction compaction, ArrayNode groups,
                       int removed) {
    }

    /**
     * The groups the engine pruned structurally, for the report, without compacting: empty when the result has no
     * structured layer.
     */
    public static ArrayNode groups(PruningResult result) {
        ArrayNode groups = new ObjectMapper().createArrayNode();
        ChannelSelection channels = result.channels();
        if (channels != null) {
            for (ChannelGroup g : channels.structure().groups()) {
                group(groups, g, channels.removed(g.id()));
            }
        }
        return groups;
    }

    /**
     * Plans and performs the compaction of {@code result}.
     *
     * @param values masked values by tensor name (not modified), as {@link PruningResult#prunedValues} gives them;
     *               tensors absent are read from the model. Each tensor a channel group covers is read at most
     *               once, in chunks; only the tensors that lose channels are copied, into the compacted arrays
     * @throws UnsupportedModelException naming the node when channels to remove belong to a group the engine cannot
     *                                   rewrite, or saying why no channel can be removed from an unstructured result
     */
    public static Plan plan(Model model, PruningResult result, Map<String, TensorData> values) {
        ChannelSelection selection = result.channels();
        ChannelStructure structure = selection != null ? selection.structure() : ChannelStructure.analyze(model);
        Map<String, boolean[]> nonZero = new HashMap<>();
        Map<Integer, boolean[]> keep = new LinkedHashMap<>();
        ArrayNode groups = new ObjectMapper().createArrayNode();
        int removedAll = 0;
        int deadButLive = 0;
        for (ChannelGroup g : structure.groups()) {
            boolean[] engine = selection == null ? null : selection.keep().get(g.id());
            boolean[] k = new boolean[g.channels()];
            int removed = 0;
            for (int c = 0; c < k.length; c++) {
                boolean remove;
                if (engine != null) {
                    remove = !engine[c];
                } else {
                    boolean sourcesZero = true;
                    boolean restZero = true;
                    for (ChannelSlice s : g.slices()) {
                        if (!s.zeroed()) {
                            continue;
                        }
                        boolean zero = channelZero(model, values, nonZero, s, c);
                        if (g.sources().contains(s.tensor())) {
                            sourcesZero &= zero;
                        } else {
                            restZero &= zero;
                        }
                    }
                    remove = sourcesZero && restZero;
                    if (sourcesZero && !remove) {
                        deadButLive++;
                    }
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
            group(groups, g, removed);
            if (removed > 0) {
                keep.put(g.id(), k);
                removedAll += removed;
            }
        }
        if (removedAll == 0 && selection == null) {
            throw new UnsupportedModelException(model.file() + ": nothing to compact: no output channel has all its "
                    + "weights pruned" + (deadButLive > 0 ? String.format(Locale.ROOT, " and a zero bias (%d channels "
                    + "have only weights pruned; their bias still reaches the next layer)", deadButLive) : "")
                    + "; prune whole channels (l1-structured, l2-structured) or export without compaction");
        }
        Map<String, TensorData> zeroed = ChannelCompactor.zeroRemovedChannels(model, structure, keep, values);
        Map<String, TensorData> merged = new LinkedHashMap<>(values);
        merged.putAll(zeroed);
        ChannelCompactor.Compaction compaction = ChannelCompactor.compact(model, structure, keep, merged);
        return new Plan(zeroed, compaction, groups, removedAll);
    }

    /** The compacted tensors as writer updates (new shapes, float32 values). */
    public static Map<String, TensorUpdate> updates(ChannelCompactor.Compaction compaction) {
        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        compaction.tensors().forEach((name, t) -> updates.put(name, new TensorUpdate(t.shape(),
                TensorData.ofFloats(t.values()))));
        return updates;
    }

    private static void group(ArrayNode groups, ChannelGroup g, int removed) {
        ObjectNode o = groups.addObject();
        o.putPOJO("sources", g.sources());
        o.put("channels", g.channels());
        o.put("removed", removed);
        o.put("pinned", g.pinned());
        g.refusal().ifPresent(r -> o.put("refusal", r));
    }

    /** Whether every entry channel {@code c} owns in slice {@code s} is zero. */
    private static boolean channelZero(Model model, Map<String, TensorData> values, Map<String, boolean[]> nonZero,
                                       ChannelSlice s, int c) {
        boolean[] nz = nonZero.computeIfAbsent(s.tensor() + "\0" + s.axis(), k -> nonZeroAlong(model, values,
                s.tensor(), s.axis()));
        for (int j = 0; j < s.block(); j++) {
            if (nz[s.first(c) + j]) {
                return false;
            }
        }
        return true;
    }

    /** Per index along {@code axis}: whether any entry of the tensor there is non-zero; one pass, in chunks. */
    private static boolean[] nonZeroAlong(Model model, Map<String, TensorData> values, String tensor, int axis) {
        WeightTensor t = model.tensor(tensor).orElseThrow();
        TensorData data = values.getOrDefault(tensor, t.data());
        long[] shape = t.shape();
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long dim = shape.length == 0 ? 1 : shape[axis];
        boolean[] nz = new boolean[(int) dim];
        long n = data.elementCount();
        float[] chunk = new float[(int) Math.min(n, 1 << 16)];
        for (long at = 0; at < n; at += chunk.length) {
            int len = (int) Math.min(chunk.length, n - at);
            data.readFloats(at, FloatBuffer.wrap(chunk, 0, len));
            for (int i = 0; i < len; i++) {
                if (chunk[i] != 0f) {
                    nz[(int) (((at + i) / inner) % dim)] = true;
                }
            }
        }
        return nz;
    }
}
