package org.sparsitybench.tools.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects cases, numbering them per generator. */
public final class Cases {
    private final List<FuzzCase> list = new ArrayList<>();
    private final Map<String, Integer> next = new LinkedHashMap<>();

    public void add(String generator, long seed, String detail, Expect expect, CaseSetup setup) {
        int index = next.merge(generator, 1, Integer::sum) - 1;
        list.add(new FuzzCase(generator, index, seed, detail, expect, setup));
    }

    public void add(String generator, String detail, Expect expect, CaseSetup setup) {
        add(generator, -1, detail, expect, setup);
    }

    public List<FuzzCase> list() {
        return list;
    }

    public int size() {
        return list.size();
    }
}
