package org.sparsitybench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.session.UserFiles;

/** Installed packages point -Dsparsitybench.samples into the app folder; the window's first model comes from it. */
class SamplesFolderTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(UserFiles.SAMPLES_PROPERTY);
    }

    @Test
    void theDefaultSampleComesFromTheConfiguredSamplesFolder() throws Exception {
        System.setProperty(UserFiles.SAMPLES_PROPERTY, dir.toString());
        assertNull(Launcher.defaultSample(), "no samples there yet");
        Path model = dir.resolve("fashion-lenet5/model.onnx");
        Files.createDirectories(model.getParent());
        Files.writeString(model, "x");
        assertEquals(model, Launcher.defaultSample());
        assertEquals(dir, UserFiles.samples());
    }

    @Test
    void withoutThePropertyTheCheckoutsFolderIsUsed() {
        assertEquals(Path.of("sample-models"), UserFiles.samples());
    }
}
