package org.sparsitybench.ui.layers;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.model.WeightTensor;

/**
 * One prunable tensor as the layer table shows it: identity and size fixed; requested sparsity (the row's
 * slider), lock, exclude, achieved sparsity, sensitivity and stored zeros are what {@link LayerTableViewModel}
 * shows. The view reads them; edits go through the view model, never into these properties.
 */
public final class LayerRow {
    private final WeightTensor tensor;
    private final ReadOnlyDoubleWrapper requested = new ReadOnlyDoubleWrapper(this, "requested", 0);
    private final ReadOnlyDoubleWrapper achieved = new ReadOnlyDoubleWrapper(this, "achieved", 0);
    private final ReadOnlyBooleanWrapper locked = new ReadOnlyBooleanWrapper(this, "locked", false);
    private final ReadOnlyBooleanWrapper excluded = new ReadOnlyBooleanWrapper(this, "excluded", false);
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

    /** The level asked for: the row's own override, else what the allocation gave it in the last result. */
    public ReadOnlyDoubleProperty requestedProperty() {
        return requested.getReadOnlyProperty();
    }

    void setRequested(double value) {
        requested.set(value);
    }

    /** The share of its weights the last result zeroed. */
    public ReadOnlyDoubleProperty achievedProperty() {
        return achieved.getReadOnlyProperty();
    }

    void setAchieved(double value) {
        achieved.set(value);
        hasResult = true;
        zerosNow.set(value);
    }

    public ReadOnlyBooleanProperty lockedProperty() {
        return locked.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty excludedProperty() {
        return excluded.getReadOnlyProperty();
    }

    void setSettings(boolean isLocked, boolean isExcluded) {
        locked.set(isLocked);
        excluded.set(isExcluded);
    }

    /** Accuracy drop at 50 % sparsity of this layer alone (NaN until sensitivity has run). */
    public ReadOnlyDoubleProperty sensitivityProperty() {
        return sensitivity.getReadOnlyProperty();
    }

    void setSensitivity(double value) {
        sensitivity.set(value);
    }

    private final ReadOnlyDoubleWrapper zeros = new ReadOnlyDoubleWrapper(this, "zeros", Double.NaN);
    private final ReadOnlyDoubleWrapper zerosNow = new ReadOnlyDoubleWrapper(this, "zerosNow", Double.NaN);
    private boolean hasResult;
    private final javafx.beans.property.ReadOnlyStringWrapper note = new javafx.beans.property.ReadOnlyStringWrapper(
            this, "note", "");

    /** What the engine said about this layer in the latest result (why N:M cannot reach it...); empty when nothing. */
    public javafx.beans.property.ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }

    void setNote(String text) {
        note.set(text);
    }
    private long nonFinite;

    /** Share of weights stored as exact zeros in the file (NaN until the background statistics reach this layer). */
    public ReadOnlyDoubleProperty zerosProperty() {
        return zeros.getReadOnlyProperty();
    }

    /**
     * Share of zeros the layer holds now: the file's until the engine has a result, then the result's (the
     * achieved share, which counts the zeros already in the file). The Zeros column shows it.
     */
    public ReadOnlyDoubleProperty zerosNowProperty() {
        return zerosNow.getReadOnlyProperty();
    }

    /** NaN or infinite weights stored in the file (0 until known). */
    public long nonFinite() {
        return nonFinite;
    }

    void setStatistics(double zerosFraction, long nonFiniteCount) {
        nonFinite = nonFiniteCount;
        zeros.set(zerosFraction);
        if (!hasResult) {
            zerosNow.set(zerosFraction);
        }
    }

    private final ReadOnlyStringWrapper reconstruction = new ReadOnlyStringWrapper(this, "reconstruction", "");

    /**
     * The layer's relative output error on the calibration samples, mask only → reconstructed Ŵ ("31.2% → 4.1%"),
     * while reconstructed weights are on screen; empty otherwise.
     */
    public ReadOnlyStringProperty reconstructionProperty() {
        return reconstruction.getReadOnlyProperty();
    }

    void setReconstruction(String text) {
        reconstruction.set(text);
    }
}
