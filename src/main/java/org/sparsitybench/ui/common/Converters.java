package org.sparsitybench.ui.common;

import java.util.function.Function;
import javafx.util.StringConverter;

/** String converters for choosers that only show values (a ComboBox that is not edited). */
public final class Converters {
    private Converters() {
    }

    /** Shows each value as {@code name} says, null as empty; reads nothing back. */
    public static <T> StringConverter<T> showing(Function<T, String> name) {
        return new StringConverter<>() {
            @Override
            public String toString(T value) {
                return value == null ? "" : name.apply(value);
            }

            @Override
            public T fromString(String text) {
                return null;
            }
        };
    }
}
