package org.sparsitybench.prune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparsitybench.prune.method.MagnitudeMethod;
import org.sparsitybench.prune.method.NmMethod;
import org.sparsitybench.prune.method.RandomMethod;
import org.sparsitybench.prune.method.SparseGptMethod;
import org.sparsitybench.prune.method.StructuredMethod;
import org.sparsitybench.prune.method.WandaMethod;

/** The methods configurations can name, by {@link PruningMethod#id()}. New methods register here. */
public final class PruningMethods {
    private static final Map<String, PruningMethod> BY_ID = new LinkedHashMap<>();

    static {
        register(MagnitudeMethod.INSTANCE);
        register(RandomMethod.INSTANCE);
        register(NmMethod.INSTANCE);
        register(StructuredMethod.L1);
        register(StructuredMethod.L2);
        register(WandaMethod.INSTANCE);
        register(WandaMethod.LAYER);
        register(WandaMethod.ROW);
        register(WandaMethod.NM);
        register(SparseGptMethod.UNSTRUCTURED);
        register(SparseGptMethod.NM);
    }

    private PruningMethods() {
    }

    private static void register(PruningMethod m) {
        BY_ID.put(m.id(), m);
    }

    /**
     * @throws IllegalArgumentException for an unknown id, naming the known ones
     */
    public static PruningMethod byId(String id) {
        PruningMethod m = BY_ID.get(id);
        if (m == null) {
            throw new IllegalArgumentException("unknown pruning method '" + id + "'; known: " + ids());
        }
        return m;
    }

    /**
     * Whether the method {@code id} removes whole channels ({@link PruningMethod#structured()}).
     *
     * @throws IllegalArgumentException for an unknown id, naming the known ones
     */
    public static boolean isStructured(String id) {
        return byId(id).structured();
    }

    /** Ids of the structured methods, in registration order. */
    public static List<String> structuredIds() {
        return BY_ID.values().stream().filter(PruningMethod::structured).map(PruningMethod::id).toList();
    }

    /** Every registered id, in registration order. */
    public static List<String> ids() {
        return List.copyOf(BY_ID.keySet());
    }
}
