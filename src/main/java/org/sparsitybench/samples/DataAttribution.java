package org.sparsitybench.samples;

/** The attribution and licence notices written beside the bundled test data. */
final class DataAttribution {
    static final String FASHION_MNIST = """
            # Fashion-MNIST test split and a training subset

            `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` are the unmodified test split of
            Fashion-MNIST by Zalando Research (https://github.com/zalandoresearch/fashion-mnist), as shipped by
            Debian's `dataset-fashion-mnist` package: 10,000 grayscale 28×28 images of clothing, 1,000 per class.

            Han Xiao, Kashif Rasul, Roland Vollgraf. *Fashion-MNIST: a Novel Image Dataset for Benchmarking
            Machine Learning Algorithms.* arXiv:1708.07747, 2017.

            Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag,
            9 Ankle boot.

            `train-12k-images-idx3-ubyte.gz` and `train-12k-labels-idx1-ubyte.gz` are 12,000 images of the
            60,000-image training split, unmodified, chosen by a `java.util.Random(2025)` shuffle of the training
            split (the first 12,000 positions, kept in that order): the training data for recovery (fine-tuning
            after pruning) when the full set is not installed.

            ## Licence

            The MIT License (MIT)

            Copyright © 2017 Zalando SE, https://tech.zalando.com

            Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
            associated documentation files (the "Software"), to deal in the Software without restriction,
            including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,
            and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,
            subject to the following conditions:

            The above copyright notice and this permission notice shall be included in all copies or substantial
            portions of the Software.

            THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
            LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
            NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
            WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
            SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
            """;

    static final String DIGITS = """
            # 8×8 hand-written digits, test and training splits

            `digits-test-images-idx3-ubyte.gz` (450 images of 8×8, values 0–16) and
            `digits-test-labels-idx1-ubyte.gz` (labels 0–9) are a subset of the *Optical Recognition of
            Handwritten Digits* data set:

            E. Alpaydin, C. Kaynak. *Optical Recognition of Handwritten Digits* [Dataset]. UCI Machine Learning
            Repository, 1998. https://doi.org/10.24432/C50P49

            Licensed under Creative Commons Attribution 4.0 International (CC BY 4.0),
            https://creativecommons.org/licenses/by/4.0/

            Changes: taken from scikit-learn's copy (`sklearn/datasets/data/digits.csv.gz`, the 1,797 images of the
            UCI test set); shuffled with `java.util.Random(2024)`, the first quarter (450 images) kept here as the
            test split and written in IDX format. The other 1,347 images trained `digits-mlp`; they are bundled as
            `digits-train-images-idx3-ubyte.gz` and `digits-train-labels-idx1-ubyte.gz` (the training split, for
            recovery after pruning).
            """;

    private DataAttribution() {
    }
}
