package org.sparsitybench.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a model as the engine sees it: identity, shape, type, role and where its output channels lie.
 * Values stay in the file until {@link #data()} is read; {@link #stats()} scans them once, on first use.
 */
public final class WeightTensor {
    /** {@link #pruneAxis()} of a tensor that has no output-channel axis. */
    public static final int NO_AXIS = -1;

    private final String name;
    private final String op;
    private final String node;
    private final long[] shape;
    private final DType dtype;
    private final TensorRole role;
    private final boolean prunable;
    private final int pruneAxis;
    private final String storage;
    private final TensorData data;
    private volatile TensorStats stats;

    /**
     * @param name      unique tensor name within the model
     * @param op        the consuming op type (ONNX, e.g. "Conv") or "" when unknown (SafeTensors)
     * @param node      consuming node name (ONNX) or module path (SafeTensors)
     * @param shape     dimensions (copied)
     * @param dtype     stored element type
     * @param role      what the tensor does
     * @param prunable  whether pruning methods select it by default
     * @param pruneAxis axis of output channels, or {@link #NO_AXIS}
     * @param storage   where it lives in the file, e.g. "initializer", "constant", "sparse_initializer", "external"
     * @param data      its values
     */
    public WeightTensor(String name, String op, String node, long[] shape, DType dtype, TensorRole role,
                        boolean prunable, int pruneAxis, String storage, TensorData data) {
        this.name = Objects.requireNonNull(name, "name");
        this.op = Objects.requireNonNullElse(op, "");
        this.node = Objects.requireNonNullElse(node, "");
        this.shape = shape.clone();
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.role = Objects.requireNonNull(role, "role");
        if (pruneAxis < NO_AXIS || pruneAxis >= Math.max(1, shape.length)) {
            throw new IllegalArgumentException("pruneAxis " + pruneAxis + " outside shape " + Arrays.toString(shape));
        }
        this.prunable = prunable;
        this.pruneAxis = pruneAxis;
        this.storage = Objects.requireNonNullElse(storage, "");
        this.data = Objects.requireNonNull(data, "data");
        if (data.elementCount() != checkedElementCount(shape)) {
            throw new IllegalArgumentException(name + ": data holds " + data.elementCount()
                    + " elements, shape " + Arrays.toString(shape) + " needs " + elementCount(shape));
        }
    }

    /**
     * Product of the dimensions, checked: 1 for a scalar.
     *
     * @throws IllegalArgumentException for a negative dimension or a product beyond 2^63
     */
    public static long checkedElementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("dimensions " + Arrays.toString(shape) + " overflow 2^63 elements");
            }
        }
        return n;
    }

    /** Product of the dimensions; 1 for a scalar. Overflow is the caller's to check (readers do). */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String name() {
        return name;
    }

    public String op() {
        return op;
    }

    public String node() {
        return node;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public DType dtype() {
        return dtype;
    }

    public TensorRole role() {
        return role;
    }

    public boolean prunable() {
        return prunable;
    }

    public int pruneAxis() {
        return pruneAxis;
    }

    public String storage() {
        return storage;
    }

    public TensorData data() {
        return data;
    }

    public long elementCount() {
        return data.elementCount();
    }

    /** Zeros and NaN/Inf, counted on first call (reads the values once), then cached. */
    public TensorStats stats() {
        TensorStats s = stats;
        if (s == null) {
            s = TensorStats.of(data);
            stats = s;
        }
        return s;
    }

    /** Shape as {@code [64, 3, 3, 3]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype.displayName() + shapeString() + (prunable ? " prunable(axis " + pruneAxis + ")" : "");
    }
}
