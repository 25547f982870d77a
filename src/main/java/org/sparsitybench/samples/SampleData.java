package org.sparsitybench.samples;

import java.util.List;

/** The data sets the samples are trained on, with what a model card says about them. */
enum SampleData {
    FASHION_MNIST("Fashion-MNIST", "fashion-mnist", 1 / 255.0,
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                    "Ankle boot"),
            "t10k-images-idx3-ubyte.gz", "train-12k-images-idx3-ubyte.gz",
            "Fashion-MNIST by Zalando Research (MIT licence): 28×28 grayscale clothing images; trained on the "
                    + "60,000-image training split, tested on the 10,000-image test split bundled here."),
    DIGITS("UCI ML hand-written digits (8×8)", "digits", 1 / 16.0,
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            "digits-test-images-idx3-ubyte.gz", "digits-train-images-idx3-ubyte.gz",
            "Optical Recognition of Handwritten Digits (Alpaydin & Kaynak, UCI, CC BY 4.0), scikit-learn's "
                    + "1,797-image copy: 8×8 images with values 0–16; a fixed-seed quarter (450 images) is the "
                    + "test split bundled here, the other 1,347 the training split.");

    final String displayName;
    final String folder;
    final double scale;
    final List<String> labels;
    final String testImages;
    /** The bundled training images (Fashion-MNIST: a seeded 12,000-image subset; digits: the whole split). */
    final String trainImages;
    final String description;

    SampleData(String displayName, String folder, double scale, List<String> labels, String testImages,
               String trainImages, String description) {
        this.trainImages = trainImages;
        this.displayName = displayName;
        this.folder = folder;
        this.scale = scale;
        this.labels = labels;
        this.testImages = testImages;
        this.description = description;
    }

    /** The bundled training images relative to a model's folder. */
    String trainPathFromModel() {
        return "../data/" + folder + "/" + trainImages;
    }

    /** The bundled test images relative to a model's folder. */
    String testPathFromModel() {
        return "../data/" + folder + "/" + testImages;
    }
}
