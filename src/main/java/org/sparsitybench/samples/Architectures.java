package org.sparsitybench.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.sparsitybench.train.BatchNorm;
import org.sparsitybench.train.Conv2d;
import org.sparsitybench.train.Dense;
import org.sparsitybench.train.Flatten;
import org.sparsitybench.train.GlobalAvgPool;
import org.sparsitybench.train.MaxPool;
import org.sparsitybench.train.Network;
import org.sparsitybench.train.Relu;
import org.sparsitybench.train.Residual;
import org.sparsitybench.train.TrainableOp;

/** The sample networks, built with weights drawn from a seeded generator in layer order. */
final class Architectures {
    private Architectures() {
    }

    /** LeNet-300-100 (LeCun et al. 1998; the MLP of Han et al. 2015): 784-300-100-10 with ReLU. */
    static Network lenet300100(Random rng) {
        return new Network(new int[] {784}, 10, List.of(
                new Dense("fc1", 784, 300, rng), new Relu("relu1"),
                new Dense("fc2", 300, 100, rng), new Relu("relu2"),
                new Dense("fc3", 100, 10, rng)));
    }

    /** LeNet-5 with batch norm: conv5×5(6, pad 2)-BN-ReLU-pool, conv5×5(16)-BN-ReLU-pool, fc 120-84-10. */
    static Network lenet5(Random rng) {
        return new Network(new int[] {1, 28, 28}, 10, List.of(
                new Conv2d("conv1", 1, 6, 5, 1, 2, false, rng), new BatchNorm("bn1", 6), new Relu("relu1"),
                new MaxPool("pool1"),
                new Conv2d("conv2", 6, 16, 5, 1, 0, false, rng), new BatchNorm("bn2", 16), new Relu("relu2"),
                new MaxPool("pool2"),
                new Flatten("flatten"),
                new Dense("fc1", 400, 120, rng), new Relu("relu3"),
                new Dense("fc2", 120, 84, rng), new Relu("relu4"),
                new Dense("fc3", 84, 10, rng)));
    }

    /**
     * A small ResNet: stem conv3×3(16)-BN-ReLU-maxpool (28→14), two identity blocks at 16 channels, one
     * stride-2 block to 32 channels (7×7) with a 1×1 projection shortcut, global average pool, fc 10.
     */
    static Network resnetMini(Random rng) {
        List<TrainableOp> layers = new ArrayList<>(List.of(
                new Conv2d("stem.conv", 1, 16, 3, 1, 1, false, rng), new BatchNorm("stem.bn", 16),
                new Relu("stem.relu"), new MaxPool("stem.pool")));
        layers.add(block("block1", 16, 16, 1, rng));
        layers.add(block("block2", 16, 16, 1, rng));
        layers.add(block("block3", 16, 32, 2, rng));
        layers.add(new GlobalAvgPool("pool"));
        layers.add(new Dense("fc", 32, 10, rng));
        return new Network(new int[] {1, 28, 28}, 10, layers);
    }

    /** A basic residual block; a 1×1 projection shortcut when the shape changes. */
    private static Residual block(String name, int in, int out, int stride, Random rng) {
        List<TrainableOp> main = List.of(
                new Conv2d(name + ".conv1", in, out, 3, stride, 1, false, rng), new BatchNorm(name + ".bn1", out),
                new Relu(name + ".relu1"),
                new Conv2d(name + ".conv2", out, out, 3, 1, 1, false, rng), new BatchNorm(name + ".bn2", out));
        List<TrainableOp> shortcut = in == out && stride == 1 ? List.of() : List.of(
                new Conv2d(name + ".proj.conv", in, out, 1, stride, 0, false, rng),
                new BatchNorm(name + ".proj.bn", out));
        return new Residual(name, main, shortcut);
    }

    /** 64-32-10 MLP with ReLU for the 8×8 digits. */
    static Network digitsMlp(Random rng) {
        return new Network(new int[] {64}, 10, List.of(
                new Dense("fc1", 64, 32, rng), new Relu("relu1"), new Dense("fc2", 32, 10, rng)));
    }
}
