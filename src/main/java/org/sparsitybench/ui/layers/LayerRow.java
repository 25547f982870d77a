package org.sparsitybench.ui.layers;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import org.sparsitybench.model.WeightTensor;

/**
 * One prunable tensor as the layer table shows it: identity and size fixed, requested sparsity (the row's
 * slider), lock and exclude toggles editable, achieved sparsity and sensitivity filled in by the engine.
 */
public final class LayerRow {
    private final WeightTensor tensor;
    private final DoubleProperty requested = new SimpleDoubleProperty(this, "requested", 0);
    private final ReadOnlyDoubleWrapper achieved = new ReadOnlyDoubleWrapper(this, "achieved", 0);
    private final BooleanProperty locked = new SimpleBooleanProperty(this, "locked", false);
    private final BooleanProperty excluded = new SimpleBooleanProperty(this, "excluded", false);
    private final ReadOnlyDoubleWrapper sensitivity = new ReadOnlyDoubleWrapper(this, "sensitivity", Double.NaN);

    public LayerRow(WeightTensor tensor) {
        this.tensor = tensor;
    }

    public WeightTensor tensor() {
        return tensor;
    }

    public String name() {
        return tensor.name();
    }

    public String op() {
        return tensor.op();
    }

    public String shape() {
        return tensor.shapeString();
    }

    public long params() {
        return tensor.elementCount();
    }

    public DoubleProperty requestedProperty() {
        return requested;
    }

    public ReadOnlyDoubleProperty achievedProperty() {
        return achieved.getReadOnlyProperty();
    }

    /** Set by the workbench when a result arrives. */
    public void setAchieved(double value) {
        achieved.set(value);
    }

    public BooleanProperty lockedProperty() {
        return locked;
    }

    public BooleanProperty excludedProperty() {
        return excluded;
    }

    /** Accuracy drop at 50 % sparsity of this layer alone (NaN until sensitivity has run). */
    public ReadOnlyDoubleProperty sensitivityProperty() {
        return sensitivity.getReadOnlyProperty();
    }

    public void setSensitivity(double value) {
        sensitivity.set(value);
    }

    private final ReadOnlyDoubleWrapper zeros = new ReadOnlyDoubleWrapper(this, "zeros", Double.NaN);
    private long nonFinite;

    /** Share of weights stored as exact zeros in the file (NaN until the background statistics reach this layer). */
    public ReadOnlyDoubleProperty zerosProperty() {
        return zeros.getReadOnlyProperty();
    }

    /** NaN or infinite weights stored in the file (0 until known). */
    public long nonFinite() {
        return nonFinite;
    }

    /** Set by the workbench when this layer's statistics are computed. */
    public void setStatistics(double zerosFraction, long nonFiniteCount) {
        nonFinite = nonFiniteCount;
        zeros.set(zerosFraction);
    }
}
