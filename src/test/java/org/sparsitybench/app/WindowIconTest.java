package org.sparsitybench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The window icons rendered by icons/build.sh are bundled and load at their nominal sizes. */
@ExtendWith(ApplicationExtension.class)
class WindowIconTest {
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.getIcons().addAll(SparsityBenchApp.windowIcons());
        stage.setScene(new Scene(new StackPane(), 200, 100));
        stage.show();
    }

    @Test
    void everyBundledSizeLoadsAsASquareImageOfThatSize() {
        List<Image> icons = stage.getIcons();
        assertEquals(SparsityBenchApp.ICON_SIZES.length, icons.size());
        for (int i = 0; i < icons.size(); i++) {
            Image icon = icons.get(i);
            int size = SparsityBenchApp.ICON_SIZES[i];
            assertFalse(icon.isError(), () -> "icon " + size + " px failed to load: " + icon.getException());
            assertEquals(size, icon.getWidth(), "width of the " + size + " px icon");
            assertEquals(size, icon.getHeight(), "height of the " + size + " px icon");
        }
        // The top-left cell is the brightest weight (viridis yellow), the centre of the tile a gap: the
        // icon is the drawing, not an empty or single-colour placeholder.
        Image big = icons.get(icons.size() - 1);
        int cell = big.getPixelReader().getArgb(32 * (int) big.getWidth() / 256, 32 * (int) big.getHeight() / 256);
        int gap = big.getPixelReader().getArgb(56 * (int) big.getWidth() / 256, 56 * (int) big.getHeight() / 256);
        assertEquals(0xfffde725, cell, "top-left weight colour");
        assertNotEquals(cell, gap);
    }
}
