package org.sparsitybench.samples;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.sparsitybench.train.Network;

/**
 * One bundled sample: its network, data, training recipe and what it teaches.
 *
 * @param name         folder name under {@code sample-models/}
 * @param data         training and test data
 * @param architecture layers in one line, for the card and README
 * @param network      builds the untrained network from a generator seeded with {@code seed}
 * @param epochs       passes over the training split at {@code --epochs-scale 1}
 * @param batch        images per step
 * @param lr           initial Adam learning rate (cosine decay to zero)
 * @param seed         fixes initial weights and batch order
 * @param teaches      one sentence on what it is good for showing
 */
record SampleSpec(String name, SampleData data, String architecture, Function<Random, Network> network, int epochs,
                  int batch, double lr, long seed, String teaches) {
    static final long SEED = 20240917L;

    /** The four samples, in the order they are generated and listed. */
    static final List<SampleSpec> ALL = List.of(
            new SampleSpec("fashion-lenet-300-100", SampleData.FASHION_MNIST,
                    "MLP 784-300-100-10, ReLU (LeNet-300-100)", Architectures::lenet300100, 15, 128, 1e-3, SEED,
                    "Almost all weights sit in plain fully connected layers, so unstructured magnitude pruning can "
                            + "remove most of them with little loss: the classic setting of Han et al. (2015)."),
            new SampleSpec("fashion-lenet5", SampleData.FASHION_MNIST,
                    "conv5×5(6, pad 2)-BN-ReLU-maxpool, conv5×5(16)-BN-ReLU-maxpool, flatten, fc 120-84-10 (ReLU)",
                    Architectures::lenet5, 12, 128, 2e-3, SEED,
                    "A small CNN whose few convolution weights are far more sensitive than its many fully connected "
                            + "ones, and whose channels each carry a batch norm that channel pruning must remove "
                            + "with them."),
            new SampleSpec("fashion-resnet-mini", SampleData.FASHION_MNIST,
                    "stem conv3×3(16)-BN-ReLU-maxpool, 2 residual blocks of 16 channels, a stride-2 block to 32 "
                            + "channels with a 1×1 projection shortcut, global average pool, fc 10",
                    Architectures::resnetMini, 8, 128, 3e-3, SEED,
                    "Residual Adds tie channels across blocks together, so structured pruning must remove the same "
                            + "channels from every layer that feeds a sum: a dependency group."),
            new SampleSpec("digits-mlp", SampleData.DIGITS, "MLP 64-32-10, ReLU", Architectures::digitsMlp, 60, 32,
                    3e-3, SEED,
                    "Small enough to see every weight at once: for watching a heat map change as a layer is "
                            + "pruned by hand, and it trains in seconds."));
}
