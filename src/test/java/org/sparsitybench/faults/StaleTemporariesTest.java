package org.sparsitybench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;

/** Temporary files of killed writers are cleaned by the next write of the same target, and only those. */
class StaleTemporariesTest {
    @TempDir
    Path dir;

    /** The PID of a process that has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        long pid = p.pid();
        assertTrue(ProcessHandle.of(pid).isEmpty(), "process " + pid + " has exited");
        return pid;
    }

    @Test
    void theNextWriteRemovesTemporariesOfDeadWritersAndOldUnnamedOnes() throws Exception {
        Path out = dir.resolve("model.onnx");
        Files.write(out, new byte[] {1, 2, 3});
        Path dead = Files.write(dir.resolve(".model.onnx.pid" + deadPid() + "-123.part"), new byte[10]);
        Path legacy = Files.write(dir.resolve(".model.onnx.4567.part"), new byte[10]);
        Files.setLastModifiedTime(legacy, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        AtomicFiles.writeStream(out, os -> os.write(new byte[] {4, 5}));

        assertFalse(Files.exists(dead), "a killed writer's temporary is removed");
        assertFalse(Files.exists(legacy), "an unnamed temporary older than this process is removed");
        assertEquals(List.of(out), FaultFiles.list(dir));
        assertEquals(2, Files.size(out));
    }

    @Test
    void liveWritersAndOtherTargetsKeepTheirTemporaries() throws Exception {
        Path out = dir.resolve("model.onnx");
        long me = ProcessHandle.current().pid();
        Path live = Files.write(dir.resolve(".model.onnx.pid" + me + "-99.part"), new byte[10]);
        Path fresh = Files.write(dir.resolve(".model.onnx.4567.part"), new byte[10]);
        Path otherTarget = Files.write(dir.resolve(".model.onnx.data.pid" + deadPid() + "-1.part"), new byte[10]);
        Path notOurs = Files.write(dir.resolve(".model.onnx.notes.part"), new byte[10]);

        assertEquals(List.of(), AtomicFiles.removeStaleTemporaries(out));
        AtomicFiles.writeStream(out, os -> os.write(7));

        assertTrue(Files.exists(live), "a temporary of a running process is kept");
        assertTrue(Files.exists(fresh), "an unnamed temporary written since this process started is kept");
        assertTrue(Files.exists(otherTarget), "model.onnx.data's temporaries are judged by writes of model.onnx.data");
        assertTrue(Files.exists(notOurs));
        assertEquals(List.of(otherTarget), AtomicFiles.removeStaleTemporaries(dir.resolve("model.onnx.data")));
    }

    @Test
    void evaluationModelsOfAKilledSweepAreRemovedByTheNextOne() throws Exception {
        Path model = dir.resolve("model.onnx");
        Files.copy(org.sparsitybench.testing.Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx"), model);
        var m = org.sparsitybench.formats.ModelFiles.read(model);
        long me = ProcessHandle.current().pid();
        String prefix = org.sparsitybench.eval.TemporaryModels.TEMP_PREFIX;
        Path dead = Files.write(dir.resolve(prefix + "pid" + deadPid() + "-42.onnx"), new byte[10]);
        Path live = Files.write(dir.resolve(prefix + "pid" + me + "-43.onnx"), new byte[10]);

        Path tmp = org.sparsitybench.eval.TemporaryModels.write(m, java.util.Map.of());
        try {
            assertTrue(tmp.getFileName().toString().startsWith(prefix + "pid" + me + "-"), tmp.toString());
            assertEquals(tmp.getParent(), dir);
            assertFalse(Files.exists(dead), "a killed sweep's evaluation model is removed");
            assertTrue(Files.exists(live), "one of a running process is kept");
        } finally {
            Files.delete(tmp);
            Files.delete(live);
        }
        assertEquals(List.of(model), FaultFiles.list(dir));
    }

    @Test
    void aCancelledMeteredWriteLeavesTheEarlierFileAndNoTemporary() throws Exception {
        Path out = dir.resolve("report.json");
        Files.writeString(out, "earlier");
        CancellationToken.Source cancel = CancellationToken.newSource();
        byte[] big = new byte[3 * AtomicFiles.METER_CHUNK + 5];
        AtomicFiles.Meter meter = AtomicFiles.meter(big.length, (f, m) -> {
            if (f > 0.5) {
                cancel.cancel();
            }
        }, cancel);
        assertThrows(CancelledException.class, () -> AtomicFiles.writeStream(out, os -> {
            var metered = meter.outputStream(os);
            metered.write(big);
            metered.flush();
        }));
        assertEquals("earlier", Files.readString(out));
        assertEquals(List.of(out), FaultFiles.list(dir));
        assertEquals(3 * AtomicFiles.METER_CHUNK, meter.written(), "stopped at the step after the one that cancelled");

        AtomicFiles.Meter whole = AtomicFiles.meter(big.length, ProgressListener.NONE, CancellationToken.NONE);
        AtomicFiles.writeStream(out, os -> {
            var metered = whole.outputStream(os);
            metered.write(big);
            metered.flush();
        });
        assertEquals(big.length, Files.size(out));
        assertEquals(big.length, whole.written());
    }
}
