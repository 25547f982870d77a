package org.sparsitybench.ui.common;

import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;

/**
 * What the panes measure on: the open model, its card (how samples are preprocessed) and the data set in use.
 *
 * @param model the open model, or null
 * @param card  its card, or null when there is none beside it
 * @param data  the data accuracy is measured on, or null
 */
public record ModelUnderTest(Model model, ModelCard card, LabeledData data) {
    /** Nothing open. */
    public static final ModelUnderTest NONE = new ModelUnderTest(null, null, null);

    /** Whether accuracy can be measured: a model, its card and data. */
    public boolean measurable() {
        return model != null && card != null && data != null;
    }
}
