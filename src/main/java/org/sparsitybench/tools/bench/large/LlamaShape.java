package org.sparsitybench.tools.bench.large;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparsitybench.model.WeightTensor;

/** LLaMA-like dimensions of a generated checkpoint: hidden size, MLP size and layer count. */
public record LlamaShape(int hidden, int intermediate, int layers) {
    /** Vocabulary of LLaMA 1/2: embed_tokens and lm_head are VOCAB x hidden. */
    public static final int VOCAB = 32_000;
    /** Fewest transformer blocks a generated model gets when the budget allows. */
    static final int MIN_LAYERS = 16;

    /**
     * The widest shape (hidden size 4096, 2048, ... 128) with room for {@link #MIN_LAYERS} layers, and as many
     * layers as the budget holds: 6.7e9 gives LLaMA-7B (4096, 11008, 32 layers), 1e9 gives 2048 x 17 layers.
     */
    public static LlamaShape forParams(double params) {
        int hidden = 4096;
        while (hidden > 128 && 2.0 * VOCAB * hidden + MIN_LAYERS * perLayer(hidden) > params) {
            hidden /= 2;
        }
        long layers = Math.max(1, Math.round((params - 2.0 * VOCAB * hidden - hidden) / perLayer(hidden)));
        return new LlamaShape(hidden, intermediate(hidden), (int) layers);
    }

    /** LLaMA's MLP width: 8/3 of the hidden size, rounded up to a multiple of 256 (4096 gives 11008). */
    static int intermediate(int hidden) {
        return (int) ((8L * hidden / 3 + 255) / 256 * 256);
    }

    private static double perLayer(int hidden) {
        return 4.0 * hidden * hidden + 3.0 * hidden * intermediate(hidden) + 2.0 * hidden;
    }

    /** Tensor names and shapes in LLaMA's (Hugging Face) order. */
    public Map<String, long[]> tensors() {
        Map<String, long[]> t = new LinkedHashMap<>();
        long h = hidden;
        long i = intermediate;
        t.put("model.embed_tokens.weight", new long[] {VOCAB, h});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "self_attn.q_proj.weight", new long[] {h, h});
            t.put(p + "self_attn.k_proj.weight", new long[] {h, h});
            t.put(p + "self_attn.v_proj.weight", new long[] {h, h});
            t.put(p + "self_attn.o_proj.weight", new long[] {h, h});
            t.put(p + "mlp.gate_proj.weight", new long[] {i, h});
            t.put(p + "mlp.up_proj.weight", new long[] {i, h});
            t.put(p + "mlp.down_proj.weight", new long[] {h, i});
            t.put(p + "input_layernorm.weight", new long[] {h});
            t.put(p + "post_attention_layernorm.weight", new long[] {h});
        }
        t.put("model.norm.weight", new long[] {h});
        t.put("lm_head.weight", new long[] {VOCAB, h});
        return t;
    }

    public long params() {
        return tensors().values().stream().mapToLong(WeightTensor::elementCount).sum();
    }
}
