package org.sparsitybench.tools.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.ModelFormatException;

/**
 * The runner's checks catch what they claim to: each planted reader breaks the contract in one way, and the run
 * must report exactly that case as a bug. Without this, a clean run would prove nothing.
 */
class FuzzRunnerTest {
    @TempDir
    Path tmp;

    /** A corpus of one case whose "reader" is the given function of the case's file. */
    private static Corpus planted(String what, Function<Path, Outcome> reader) {
        return new Corpus() {
            @Override
            public String format() {
                return "planted";
            }

            @Override
            public void catalogue(Cases cases, Sandbox sandbox) {
                cases.add(what, what, Expect.EITHER, Bytes.files("in.bin", new byte[] {1, 2, 3}, java.util.Map.of()));
            }

            @Override
            public FuzzCase random(int index, long seed, Sandbox sandbox) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Outcome attempt(FuzzCase c, Path file) {
                return reader.apply(file);
            }
        };
    }

    private FuzzReport run(FuzzRunner runner, Corpus corpus) throws IOException {
        Cases cases = new Cases();
        corpus.catalogue(cases, runner.sandbox());
        return runner.run(corpus, cases.list().iterator());
    }

    private int runs;

    private FuzzReport run(Corpus corpus) throws IOException {
        try (FuzzRunner runner = new FuzzRunner(tmp.resolve("run" + runs++), 2_000)) {
            assertTrue(runner.canariesArmed(), "mkfifo available");
            return run(runner, corpus);
        }
    }

    private static Outcome read(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            in.readAllBytes();
            return Outcome.loaded("read " + p.getFileName());
        } catch (IOException e) {
            return Outcome.failed(e);
        }
    }

    @Test
    void aReaderThatOnlyReadsItsFileKeepsTheContract() throws IOException {
        FuzzReport r = run(planted("clean", FuzzRunnerTest::read));
        assertEquals(List.of(), r.violations());
        assertEquals(1, r.loaded());
    }

    @Test
    void aReaderThatOpensTheParentFolderCanaryIsCaught() throws IOException {
        FuzzReport r = run(planted("escape", file -> read(file.resolveSibling("../x.bin"))));
        assertEquals(1, r.bugs(), String.valueOf(r.violations()));
        assertEquals(1, r.escapes());
        assertTrue(r.violations().get(0).contains("outside the case's folder"), r.violations().get(0));
    }

    @Test
    void aReaderThatFollowsASymlinkToTheOutsideCanaryIsCaught() throws IOException {
        try (FuzzRunner runner = new FuzzRunner(tmp.resolve("run"), 2_000)) {
            Path secret = runner.sandbox().secret();
            FuzzReport r = run(runner, planted("symlink", file -> {
                try {
                    Path link = Files.createSymbolicLink(file.resolveSibling("link.bin"), secret);
                    Outcome o = read(link);
                    Files.delete(link); // leave the folder as it was, so only the escape is reported
                    return o;
                } catch (IOException e) {
                    return Outcome.failed(e);
                }
            }));
            assertEquals(1, r.escapes(), String.valueOf(r.violations()));
            assertTrue(r.violations().get(0).contains(secret.toString()), r.violations().get(0));
        }
    }

    @Test
    void aReaderThatWritesToItsInputIsCaught() throws IOException {
        FuzzReport r = run(planted("writer", file -> {
            try {
                Files.write(file, new byte[] {9}, StandardOpenOption.APPEND);
                return Outcome.loaded("wrote");
            } catch (IOException e) {
                return Outcome.failed(e);
            }
        }));
        assertEquals(1, r.bugs());
        assertTrue(r.violations().get(0).contains("files in the case folder changed"), r.violations().get(0));
    }

    @Test
    void anUntypedExceptionAnErrorAndAHangAreBugsButATypedErrorIsNot() throws IOException {
        assertEquals(1, run(planted("npe", f -> Outcome.failed(new NullPointerException("boom")))).bugs());
        assertEquals(1, run(planted("oom", f -> Outcome.failed(new OutOfMemoryError("Java heap space")))).bugs());
        FuzzReport hang = run(planted("hang", f -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Outcome.loaded("late");
        }));
        assertTrue(hang.violations().get(0).contains("hang"), hang.violations().get(0));
        FuzzReport typed = run(planted("typed", f -> Outcome.failed(new ModelFormatException(f, "offset 0", "bad"))));
        assertEquals(List.of(), typed.violations());
        assertEquals(1, typed.rejected());
        FuzzReport anonymous = run(planted("anonymous", f -> Outcome.failed(
                new ModelFormatException(Path.of("elsewhere"), "", "bad"))));
        assertTrue(anonymous.violations().get(0).contains("does not name the file"), anonymous.violations().get(0));
    }

    @Test
    void aRunRefusesAFolderThatIsNotEmpty() throws IOException {
        Files.writeString(tmp.resolve("old.txt"), "x");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> new FuzzRunner(tmp, 1));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void randomCasesAreRebuiltExactlyFromTheirSeed() throws IOException {
        try (FuzzRunner runner = new FuzzRunner(tmp.resolve("run"), 2_000)) {
            for (String format : Corpora.names()) {
                Corpus corpus = Corpora.byName(format);
                long seed = FuzzPlan.caseSeed(42, 7);
                FuzzCase a = corpus.random(0, seed, runner.sandbox());
                FuzzCase b = corpus.random(0, seed, runner.sandbox());
                assertEquals(a.label(), b.label(), format);
                Path da = Files.createDirectories(tmp.resolve("a-" + format));
                Path db = Files.createDirectories(tmp.resolve("b-" + format));
                a.setup().create(da);
                b.setup().create(db);
                assertEquals(FuzzRunner.snapshot(da).keySet(), FuzzRunner.snapshot(db).keySet(), format);
                try (var files = Files.walk(da)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            assertEquals(Bytes.sha256(f), Bytes.sha256(db.resolve(da.relativize(f))), format + " " + f);
                        }
                    }
                }
            }
        }
    }
}
