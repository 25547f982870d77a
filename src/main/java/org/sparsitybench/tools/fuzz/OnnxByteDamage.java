package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.tools.fuzz.Bytes.splice;
import static org.sparsitybench.tools.fuzz.Bytes.varint;
import static org.sparsitybench.tools.fuzz.OnnxModels.files;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparsitybench.tools.fuzz.ByteMutations.Mutation;
import org.sparsitybench.tools.fuzz.ByteMutations.Mutator;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/**
 * Family 1 of the ONNX cases: byte-level damage to valid files (truncation, flips, varint and length-prefix
 * damage, insertions, deletions, duplicated runs).
 */
final class OnnxByteDamage {
    private OnnxByteDamage() {
    }

    /** Each base unchanged, then each mutator applied to each base with its own seed. */
    static void add(OnnxCases cases, List<OnnxCorpus.ByteBase> bases) {
        Map<String, Mutator> mutators = new LinkedHashMap<>();
        mutators.put("truncate", ByteMutations::truncate);
        mutators.put("flip", ByteMutations::flip);
        mutators.put("varint", OnnxByteDamage::varintDamage);
        mutators.put("insert", ByteMutations::insert);
        mutators.put("delete", ByteMutations::delete);
        mutators.put("duplicate", ByteMutations::duplicate);
        Map<String, Integer> perBase = Map.of("truncate", 40, "flip", 90, "varint", 45, "insert", 30, "delete", 30,
                "duplicate", 30);
        for (OnnxCorpus.ByteBase b : bases) {
            cases.add("pristine", b.name() + " unchanged", Expect.LOAD, files(b.model(), b.sidecars()));
        }
        int g = 0;
        for (Map.Entry<String, Mutator> m : mutators.entrySet()) {
            g++;
            for (int bi = 0; bi < bases.size(); bi++) {
                OnnxCorpus.ByteBase b = bases.get(bi);
                List<int[]> prefixes = lengthPrefixes(b.model());
                for (int i = 0; i < perBase.get(m.getKey()); i++) {
                    long seed = 1_000_000L * g + 1_000L * bi + i;
                    Mutation mu = m.getValue().apply(b.model(), prefixes, new Random(seed), i);
                    Expect expect = mu.bytes().length == 0 ? Expect.REJECT : Expect.EITHER;
                    cases.add(m.getKey(), seed, b.name() + " " + mu.what(), expect, files(mu.bytes(), b.sidecars()));
                }
            }
        }
    }

    /** 0xFF runs at random places, or over the length prefix of a length-delimited field (huge or invalid). */
    static Mutation varintDamage(byte[] s, List<int[]> prefixes, Random r, int index) {
        int mode = prefixes.isEmpty() ? 0 : r.nextInt(3);
        int run = 1 + r.nextInt(10);
        byte terminator = (byte) new int[] {0x01, 0x07, 0x0F, 0x7F}[r.nextInt(4)];
        boolean terminate = r.nextBoolean();
        if (mode == 0) {
            byte[] b = s.clone();
            int at = r.nextInt(b.length);
            for (int k = 0; k < run && at + k < b.length; k++) {
                b[at + k] = (byte) 0xFF;
            }
            if (terminate && at + run < b.length) {
                b[at + run] = terminator;
            }
            return new Mutation(b, run + " bytes set to 0xFF at " + at + (terminate ? " then 0x"
                    + Integer.toHexString(terminator & 0xff) : ""));
        }
        int[] p = prefixes.get(r.nextInt(prefixes.size()));
        byte[] replacement;
        String what;
        if (mode == 1) {
            replacement = new byte[run + (terminate ? 1 : 0)];
            Arrays.fill(replacement, 0, run, (byte) 0xFF);
            if (terminate) {
                replacement[run] = terminator;
            }
            what = "length prefix at " + p[0] + " replaced by " + run + "x0xFF" + (terminate ? "+0x"
                    + Integer.toHexString(terminator & 0xff) : "");
        } else {
            long[] values = {Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, -1L, 0, s.length, s.length - p[0]};
            long v = values[r.nextInt(values.length)];
            replacement = varint(v);
            what = "length prefix at " + p[0] + " set to " + v;
        }
        return new Mutation(splice(s, p[0], p[1], replacement), what);
    }

    /** {value, position after} of the varint at {@code p}, or null when it is malformed or runs past {@code end}. */
    private static long[] readVarint(byte[] b, int p, int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                return null;
            }
            int x = b[p++] & 0xff;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return new long[] {v, p};
            }
        }
        return null;
    }

    /** {offset, length} of every length prefix in the message, looking into payloads that parse as messages. */
    static List<int[]> lengthPrefixes(byte[] b) {
        List<int[]> out = new ArrayList<>();
        walkFields(b, 0, b.length, 0, out);
        return out;
    }

    private static boolean walkFields(byte[] b, int from, int to, int depth, List<int[]> out) {
        List<int[]> found = new ArrayList<>();
        int p = from;
        while (p < to) {
            long[] tag = readVarint(b, p, to);
            if (tag == null || (tag[0] >>> 3) == 0) {
                return false;
            }
            p = (int) tag[1];
            switch ((int) (tag[0] & 7)) {
                case 0 -> {
                    long[] v = readVarint(b, p, to);
                    if (v == null) {
                        return false;
                    }
                    p = (int) v[1];
                }
                case 1 -> p += 8;
                case 5 -> p += 4;
                case 2 -> {
                    long[] len = readVarint(b, p, to);
                    if (len == null || len[0] < 0 || len[0] > to - len[1]) {
                        return false;
                    }
                    int start = (int) len[1];
                    found.add(new int[] {p, start - p});
                    if (depth < 64 && len[0] > 0) {
                        List<int[]> inner = new ArrayList<>();
                        if (walkFields(b, start, start + (int) len[0], depth + 1, inner)) {
                            found.addAll(inner);
                        }
                    }
                    p = start + (int) len[0];
                }
                default -> {
                    return false;
                }
            }
            if (p > to) {
                return false;
            }
        }
        out.addAll(found);
        return true;
    }
}
