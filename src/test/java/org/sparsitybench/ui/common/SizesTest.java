package org.sparsitybench.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void binarySizesCarryBinaryUnits() {
        assertEquals("1.87 GiB", Sizes.bytes(2_009_232_912L)); // the 1B BF16 checkpoint
        assertEquals("242.8 KiB", Sizes.bytes(248_646)); // fashion-lenet5
        assertEquals("1.50 MiB", Sizes.bytes(3L << 19));
        assertEquals("1.0 KiB", Sizes.bytes(1024));
        assertEquals("1023 B", Sizes.bytes(1023));
    }
}
