package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.eval.PruneExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench bench e2e}: the {@code prune} command end to end, JVM start included, beside a numpy script
 * doing the same (read, global {@code np.partition} cut, write), beside the same prune as a small C program for
 * 16-bit weights ({@link NativeFloor}) and beside {@code cp} of the file (the read + write floor), all as fresh
 * processes taking turns in one run. Prints medians and ratios as JSON.
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = "Time 'prune --method global' end to end (a fresh JVM) against the numpy peer script, the native "
                + "floor (the same prune in C, for BF16/F16 files) and cp of the file, in one run; prints medians and "
                + "ratios as JSON.")
public final class BenchE2eCommand implements Callable<Integer> {
    /** The steps a prune's report times ({@code timingsMs}). */
    private static final String[] STEPS = {"prune", "write", "report"};

    /** The generated model's tensors: four 4096 x 4096 float32 weights, 268 MB. */
    static final int SIDE = 4096;
    static final int TENSORS = 4;

    @Option(names = "--model", paramLabel = "FILE", description = "The SafeTensors or ONNX file to prune (default: "
            + "a generated, seeded file of four 4096x4096 float32 tensors, 268 MB).")
    Path model;

    @Option(names = "--sparsity", defaultValue = "0.5", description = "Global target sparsity (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--repeats", defaultValue = "3", description = "Runs of each side, taking turns (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--peer-script", paramLabel = "FILE", description = "The numpy peer (default bench/peer_e2e.py "
            + "in the working directory, else beside the build).")
    Path peerScript;

    @Option(names = "--python", paramLabel = "PYTHON", description = "Python for the peer (default /usr/bin/python3 "
            + "if present, else python3).")
    String python;

    @Option(names = "--no-peer", description = "Skip the peer (a non-float32 model has none).")
    boolean noPeer;

    @Option(names = "--native-source", paramLabel = "FILE", description = "The native floor's C source (default "
            + "bench/native_floor.c in the working directory, else beside the build): the same prune of a BF16/F16 "
            + "SafeTensors file as a small C program, same output bytes, same durability, timed beside the others.")
    Path nativeSource;

    @Option(names = "--cc", paramLabel = "CC", defaultValue = "cc", description = "C compiler for the native floor "
            + "(default ${DEFAULT-VALUE}).")
    String cc;

    @Option(names = "--no-native", description = "Skip the native floor.")
    boolean noNative;

    @Option(names = "--java-opts", paramLabel = "OPTS", description = "JVM options of the timed prune (e.g. -Xmx1g; "
            + "default: this JVM's own).")
    String javaOpts;

    @Option(names = "--warm", paramLabel = "N", defaultValue = "0", description = "Also run the prune N + 1 times in "
            + "one more JVM and report the last N (warmMs): what the engine and the disk cost once the JVM has compiled "
            + "them, against the fresh JVM's whole process (default ${DEFAULT-VALUE}: not run).")
    int warm;

    @Option(names = "--settle", paramLabel = "SECONDS", defaultValue = "5", description = "Seconds to wait before "
            + "each timed command, after the last one's files were deleted (default ${DEFAULT-VALUE}). A virtual "
            + "machine that returns freed memory to its host (free page reporting) makes a write into memory freed a "
            + "moment ago several times cheaper than into memory freed seconds ago: a cp right after another copy was "
            + "deleted gets the first, a prune that writes a second after it starts the second. After the wait every "
            + "side starts alike. cp is also timed right after a deletion (cpJustFreed). 0: no wait.")
    double settle;

    @Option(names = "--exact-compression", description = "Pass --exact-compression to the timed prune.")
    boolean exactCompression;

    @Option(names = "--dir", paramLabel = "DIR", description = "Folder for the generated file and the outputs "
            + "(default: a new temporary folder, deleted afterwards).")
    Path dir;

    @Option(names = "--seed", defaultValue = "20261203", description = "Seed of the generated weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (repeats < 1) {
            throw new SparsityBenchCli.UsageException("--repeats " + repeats + " must be at least 1");
        }
        if (warm < 0) {
            throw new SparsityBenchCli.UsageException("--warm " + warm + " must be 0 or more");
        }
        if (!(settle >= 0 && settle <= 600)) {
            throw new SparsityBenchCli.UsageException("--settle " + settle + " outside [0, 600] seconds");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + " outside [0, 1]");
        }
        PrintWriter err = spec.commandLine().getErr();
        boolean ownDir = dir == null;
        Path work = ownDir ? Files.createTempDirectory("sparsitybench-e2e-") : Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        List<String> notes = new ArrayList<>();
        out.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        out.put("loadAverageAtStart", loadAverage());
        List<Path> made = new ArrayList<>();
        try {
            Path in = model;
            long genMs = -1;
            if (in == null) {
                in = work.resolve("global4x4096-f32.safetensors");
                made.add(in);
                err.println("bench e2e: writing " + in + " ...");
                err.flush();
                long t0 = System.nanoTime();
                writeModel(in, seed);
                genMs = (System.nanoTime() - t0) / 1_000_000;
            }
            String ext = in.getFileName().toString().substring(in.getFileName().toString().lastIndexOf('.') + 1);
            Path ours = work.resolve("ours." + ext);
            Path theirs = work.resolve("peer." + ext);
            Path copy = work.resolve("copy." + ext);
            Path nativeOut = work.resolve("native." + ext);
            made.addAll(List.of(ours, PruneExport.reportFile(ours), theirs, copy, nativeOut));
            ObjectNode file = out.putObject("model");
            file.put("path", in.toString());
            file.put("bytes", Files.size(in));
            file.put("generated", model == null);
            if (genMs >= 0) {
                file.put("generateMs", genMs);
            }

            List<String> oursArgs = oursArguments(in, ours);
            classArchive(oursArgs, made, notes, err);
            // The class path runs to kilobytes: the JVM reads its arguments from a file instead (same JVM, same
            // options, same main class as the launcher).
            Path argFile = work.resolve("prune.args");
            made.add(argFile);
            List<String> oursCmd = List.of(oursArgs.get(0), "@" + argFile(argFile, oursArgs));
            Path script = noPeer ? null : peerScript();
            List<String> peerCmd = null;
            if (script == null) {
                notes.add(noPeer ? "peer skipped (--no-peer)" : "peer skipped: no bench/peer_e2e.py found (--peer-script)");
            } else {
                peerCmd = List.of(pythonCommand(), script.toString(), in.toString(), theirs.toString(),
                        Double.toString(sparsity));
            }
            List<String> nativeCmd = nativeCommand(in, nativeOut, work, made, notes, err);
            List<String> cpCmd = List.of("cp", in.toString(), copy.toString());
            // prune forces its output to disk before moving it into place (AtomicFiles); cp leaves the copy in the
            // page cache. cp followed by an fsync of the copy (coreutils sync FILE) is the like-for-like floor.
            List<String> cpSyncCmd = List.of("sh", "-c", "cp \"$0\" \"$1\" && sync \"$1\"", in.toString(),
                    copy.toString());
            ObjectNode cache = out.putObject("inputPageCache");
            cache.put("residentBytesAtStart", residentBytes(in));
            double[] oursMs = new double[repeats];
            double[] peerMs = new double[peerCmd == null ? 0 : repeats];
            double[] cpMs = new double[repeats];
            double[] cpSyncMs = new double[repeats];
            double[] cpJustFreedMs = new double[repeats];
            // dd with direct I/O in 1 MiB blocks and an fsync at the end: the disk's own time to take the file, past
            // the page cache, as prune writes files of 64 MiB and more. A file system that refuses direct I/O has
            // no such figure (-1, noted).
            List<String> ddCmd = List.of("dd", "if=" + in, "of=" + copy, "bs=1M", "oflag=direct", "conv=fsync",
                    "status=none");
            double[] ddMs = new double[repeats];
            String ddRefused = null;
            // CPU time (user + system) of each process: steadier than wall time on a shared, busy machine.
            double[][] cpu = new double[5][repeats];
            double[] nativeMs = new double[nativeCmd == null ? 0 : repeats];
            JsonNode nativeLast = null;
            // Each prune's own report says how long its steps took: where the wall time went.
            double[][] stepMs = new double[STEPS.length][repeats];
            Path cpuFile = work.resolve("cpu.txt");
            made.add(cpuFile);
            JsonNode peerLast = null;
            for (int i = 0; i < repeats; i++) {
                err.println("bench e2e: run " + (i + 1) + " of " + repeats + " ...");
                err.flush();
                Files.deleteIfExists(copy);
                settle();
                Timed c = timed(cpCmd, cpuFile);
                cpMs[i] = c.ms();
                cpu[2][i] = c.cpuMs();
                Files.deleteIfExists(copy);
                // Into the memory the copy just freed: the fastest a copy goes here, and no longer the same start.
                cpJustFreedMs[i] = timed(cpCmd, cpuFile).ms();
                Files.deleteIfExists(copy);
                if (ddRefused == null) {
                    settle();
                    try {
                        ddMs[i] = timed(ddCmd, cpuFile).ms();
                    } catch (IOException e) {
                        ddRefused = e.getMessage();
                        notes.add("ddDirect skipped: " + ddRefused);
                    }
                    Files.deleteIfExists(copy);
                }
                if (ddRefused != null) {
                    ddMs[i] = -1;
                }
                settle();
                Timed cs = timed(cpSyncCmd, cpuFile);
                cpSyncMs[i] = cs.ms();
                cpu[3][i] = cs.cpuMs();
                Files.deleteIfExists(copy);
                settle();
                // Taking turns, each side sees the machine's load of the same moments.
                Timed o = timed(oursCmd, cpuFile);
                oursMs[i] = o.ms();
                cpu[0][i] = o.cpuMs();
                JsonNode steps = json.readTree(PruneExport.reportFile(ours).toFile()).path(PruneExport.TIMINGS);
                for (int k = 0; k < STEPS.length; k++) {
                    stepMs[k][i] = steps.path(STEPS[k]).asDouble(-1);
                }
                if (peerCmd != null) {
                    settle();
                    Timed p = timed(peerCmd, cpuFile);
                    peerMs[i] = p.ms();
                    cpu[1][i] = p.cpuMs();
                    peerLast = json.readTree(lastJsonLine(p.stdout()));
                }
                if (nativeCmd != null) {
                    settle();
                    Timed n = timed(nativeCmd, cpuFile);
                    nativeMs[i] = n.ms();
                    cpu[4][i] = n.cpuMs();
                    nativeLast = json.readTree(lastJsonLine(n.stdout()));
                    Files.deleteIfExists(nativeOut);
                }
            }
            double[] warmMs = warm == 0 ? new double[0] : warmRuns(oursArgs, work, made, err);
            out.put("command", String.join(" ", oursArgs.subList(oursArgs.indexOf(MAIN_CLASS) + 1, oursArgs.size())));
            out.put("javaOptions", String.join(" ", jvmOptions()));
            double ourMedian = median(oursMs);
            double cpMedian = median(cpMs);
            double cpSyncMedian = median(cpSyncMs);
            ObjectNode medians = out.putObject("medianMs");
            medians.put("prune", round(ourMedian));
            medians.put("cp", round(cpMedian));
            medians.put("cpSync", round(cpSyncMedian));
            double cpJustFreedMedian = median(cpJustFreedMs);
            medians.put("cpJustFreed", round(cpJustFreedMedian));
            double ddMedian = ddRefused == null ? median(ddMs) : -1;
            medians.put("ddDirect", round(ddMedian));
            ObjectNode ratios = out.putObject("ratios");
            ratios.put("pruneOverCp", round(ourMedian / cpMedian));
            ratios.put("pruneOverCpSync", round(ourMedian / cpSyncMedian));
            ratios.put("pruneOverCpJustFreed", round(ourMedian / cpJustFreedMedian));
            if (ddRefused == null) {
                ratios.put("pruneOverDdDirect", round(ourMedian / ddMedian));
            }
            ObjectNode goals = out.putObject("goals");
            if (peerCmd != null) {
                double peerMedian = median(peerMs);
                medians.put("peer", round(peerMedian));
                ratios.put("pruneOverPeer", round(ourMedian / peerMedian));
                goals.put("atMostHalfOfPeer", ourMedian <= peerMedian / 2);
                out.set("peerLastRun", peerLast);
            }
            if (nativeCmd != null) {
                double nativeMedian = median(nativeMs);
                medians.put("native", round(nativeMedian));
                ratios.put("pruneOverNative", round(ourMedian / nativeMedian));
                ratios.put("nativeOverCp", round(nativeMedian / cpMedian));
                ratios.put("nativeOverCpSync", round(nativeMedian / cpSyncMedian));
                out.set("nativeLastRun", nativeLast);
            }
            if (model != null) { // the issue's goal for a checkpoint (the 1B BF16 file); the generated one's is the peer
                goals.put("atMost3xCp", ourMedian <= 3 * cpMedian);
                if (nativeCmd != null) {
                    // Whether the yardstick was within reach in this run at all: the same work in C, as durable.
                    goals.put("nativeFloorAtMost3xCp", median(nativeMs) <= 3 * cpMedian);
                    goals.put("what", "atMost3xCp: the prune's median within 3 x cp's; nativeFloorAtMost3xCp: whether "
                            + "the native floor (the same work in C, as durable) was, in the same run: where it was "
                            + "not, cp was faster than any writer that forces the file to disk could be");
                }
            }
            if (warmMs.length > 0) {
                double[] later = Arrays.copyOfRange(warmMs, 1, warmMs.length);
                ObjectNode w = out.putObject("warm");
                w.set("ms", array(json, warmMs));
                w.put("firstMs", round(warmMs[0]));
                w.put("medianLaterMs", round(median(later)));
                w.put("laterOverCp", round(median(later) / cpMedian));
                w.put("laterOverCpSync", round(median(later) / cpSyncMedian));
                w.put("what", "the same prune " + warmMs.length + " times in one JVM (java options as the timed "
                        + "prune's; each after the same settle wait): the first pays class loading and the compilers' "
                        + "warm-up as a fresh process does (without the JVM's own start and exit), the later ones what the engine and the disk cost once "
                        + "compiled, as in the window after its first prune; medianLaterMs is their median");
            }
            ObjectNode times = out.putObject("timesMs");
            times.set("prune", array(json, oursMs));
            times.set("peer", array(json, peerMs));
            times.set("cp", array(json, cpMs));
            times.set("cpSync", array(json, cpSyncMs));
            times.set("cpJustFreed", array(json, cpJustFreedMs));
            times.set("ddDirect", array(json, ddMs));
            times.set("native", array(json, nativeMs));
            ObjectNode cpuMedians = out.putObject("medianCpuMs");
            String[] sides = {"prune", "peer", "cp", "cpSync", "native"};
            for (int s = 0; s < sides.length; s++) {
                if ((s != 1 || peerCmd != null) && (s != 4 || nativeCmd != null)) {
                    cpuMedians.put(sides[s], round(median(cpu[s])));
                }
            }
            cpuMedians.put("what", "user + system CPU time of each process (/usr/bin/time; -1: not available)");
            ObjectNode steps = out.putObject("pruneStepsMedianMs");
            for (int k = 0; k < STEPS.length; k++) {
                steps.put(STEPS[k], round(median(stepMs[k])));
            }
            steps.put("startAndExit", round(ourMedian - median(stepMs[0]) - median(stepMs[1]) - median(stepMs[2])));
            steps.put("what", "the steps' wall times from each prune's report (timingsMs), medians; startAndExit is "
                    + "the rest of the process's median: the JVM's start, reading the header, printing, exit");
            JsonNode report = json.readTree(PruneExport.reportFile(ours).toFile());
            out.set("pruneTotals", report.get("totals"));
            cache.put("residentBytesAtEnd", residentBytes(in));
            cache.put("bytes", Files.size(in));
            cache.put("note", "every side reads the input from the page cache when it is resident (fincore; -1: "
                    + "unknown); cp's copy stays in the page cache, while prune forces its output to disk before the "
                    + "atomic rename, as cpSync (cp, then sync of the copy) does");
            ObjectNode memory = out.putObject("settle");
            memory.put("seconds", settle);
            memory.put("freePageReportingOrder", pageReportingOrder());
            memory.put("what", "each timed command started " + settle + " s after the previous one's files were "
                    + "deleted. freePageReportingOrder (-1: none) says whether this machine returns freed memory to "
                    + "its host, which makes writing into memory freed seconds ago dearer than into memory freed a "
                    + "moment ago; cpJustFreed is cp started right after a copy of the same size was deleted, the "
                    + "cheapest case, which a process that writes a second or more after it starts cannot have; "
                    + "ddDirect is dd of the file with direct I/O (oflag=direct, 1 MiB blocks, conv=fsync) after the "
                    + "same wait: the disk's own time to take the file past the page cache, as prune writes outputs "
                    + "of 64 MiB and more, and so untouched by that memory effect");
            out.put("loadAverageAtEnd", loadAverage());
            out.put("what", "wall time of each whole process from start to exit: the prune in a fresh JVM (class "
                    + "loading, reading, the global magnitude cut, writing, the report), the peer script in a fresh "
                    + "python (numpy: read, np.partition global cut, write), the native floor (bench/native_floor.c: the "
                    + "same prune of 16-bit weights as a small C program, the same output bytes, direct I/O, fsync and "
                    + "rename as prune; no masks' hashes, no report), cp of the file, and cp followed by sync of the "
                    + "copy (prune also forces its output to disk); medians of "
                    + repeats + " runs taken in turns, each after the same wait (settle)");
            out.putPOJO("notes", notes);
            BenchFigures.print(spec, json, out);
            return SparsityBenchCli.EXIT_OK;
        } finally {
            for (Path p : made) {
                if (ownDir || !p.equals(model)) {
                    Files.deleteIfExists(p);
                }
            }
            if (ownDir) {
                Files.deleteIfExists(work);
            }
        }
    }

    /** Waits {@link #settle} seconds (see its option). */
    private void settle() throws InterruptedException {
        if (settle > 0) {
            Thread.sleep(Math.round(settle * 1000));
        }
    }

    /**
     * The smallest block (as a power of two of pages) this machine's free page reporting hands back to its host;
     * -1 when it has none (not a VM that reports, or not Linux).
     */
    static int pageReportingOrder() {
        try {
            return Integer.parseInt(Files.readString(Path.of(
                    "/sys/module/page_reporting/parameters/page_reporting_order")).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static final String MAIN_CLASS = "org.sparsitybench.app.Cli";

    /**
     * For the run that writes a class archive: JDK 17 archives a method still waiting in the compile queue at exit
     * with its "queued" flag set, and every run that maps the archive runs that method interpreted for good
     * (JDK-8306460, fixed in JDK 21). Compiling in the foreground leaves the queue empty at exit.
     */
    static final String ARCHIVE_SAFELY = "-XX:-BackgroundCompilation";

    /** A fresh JVM running {@code prune} as the launcher does: the same class path and JVM options. */
    private List<String> oursArguments(Path in, Path out) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS, "prune", in.toString(), "--out",
                out.toString(), "--method", "global", "--sparsity", Double.toString(sparsity)));
        if (exactCompression) {
            cmd.add("--exact-compression");
        }
        return cmd;
    }

    private List<String> jvmOptions() {
        List<String> inherited = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        // This JVM's class archive is the bench command's: the timed prune gets the launcher's prune archive below.
        inherited.removeIf(a -> a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-XX:ArchiveClassesAtExit="));
        if (javaOpts != null) {
            List<String> opts = new ArrayList<>(Arrays.asList(javaOpts.trim().split("\\s+")));
            opts.removeIf(String::isEmpty);
            // The launcher's module openings, which ND4J needs whatever the heap, and its class-archive settings.
            inherited.stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("-Xlog:cds")
                    || a.startsWith("-D" + CDS_PROPERTY + "=")).forEach(opts::add);
            return opts;
        }
        return inherited;
    }

    /** The launcher's folder of class archives ({@code packaging/bin/sparsitybench} sets it). */
    static final String CDS_PROPERTY = "sparsitybench.cds";

    /**
     * Starts the timed prune as the launcher starts it: with the launcher's class archive of {@code prune}
     * ({@code -XX:SharedArchiveFile}) when it runs with archives. Without one yet, one untimed prune writes it, as a
     * user's first prune after a build does; {@code cmd} (the java command line) is modified.
     */
    private void classArchive(List<String> cmd, List<Path> made, List<String> notes, PrintWriter err)
            throws IOException, InterruptedException {
        String dir = System.getProperty(CDS_PROPERTY);
        if (dir == null) {
            notes.add("no class archive: not started by the launcher (packaging/bin/sparsitybench)");
            return;
        }
        Path archive = Path.of(dir, "prune.jsa");
        int at = cmd.indexOf("-cp");
        if (Files.isRegularFile(archive) && olderThanBuild(archive)) {
            Files.delete(archive); // the JVM would refuse it (the jar changed): write it again, as the launcher does
        }
        if (!Files.isRegularFile(archive)) {
            err.println("bench e2e: one untimed prune writes the class archive " + archive + " ...");
            err.flush();
            Path part = archive.resolveSibling("prune.jsa." + ProcessHandle.current().pid() + ".part");
            List<String> first = new ArrayList<>(cmd);
            first.add(at, "-XX:ArchiveClassesAtExit=" + part);
            first.add(at, ARCHIVE_SAFELY); // as the launcher writes its archives
            Path out = Path.of(cmd.get(cmd.indexOf("--out") + 1));
            try {
                run(first, null);
                if (Files.isRegularFile(part)) {
                    Files.move(part, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(part);
                Files.deleteIfExists(out);
                Files.deleteIfExists(PruneExport.reportFile(out));
            }
            notes.add("an untimed first prune wrote the class archive " + archive);
        }
        if (Files.isRegularFile(archive)) {
            cmd.add(at, "-XX:SharedArchiveFile=" + archive);
        }
    }

    /** Writes {@code cmd}'s arguments after the java command, one quoted per line, to {@code file}; returns it. */
    private static Path argFile(Path file, List<String> cmd) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (String a : cmd.subList(1, cmd.size())) {
            lines.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        Files.writeString(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /** The prune {@code warm + 1} times in one fresh JVM ({@link WarmPrunes}); each run's wall milliseconds. */
    private double[] warmRuns(List<String> oursArgs, Path work, List<Path> made, PrintWriter err)
            throws IOException, InterruptedException {
        err.println("bench e2e: " + (warm + 1) + " prunes in one JVM ...");
        err.flush();
        List<String> cmd = new ArrayList<>(oursArgs);
        // An output of their own: the timed prunes' report is read afterwards.
        int outAt = cmd.indexOf("--out") + 1;
        String name = Path.of(cmd.get(outAt)).getFileName().toString();
        Path warmOut = work.resolve("warm" + name.substring(name.lastIndexOf('.')));
        made.addAll(List.of(warmOut, PruneExport.reportFile(warmOut)));
        cmd.set(outAt, warmOut.toString());
        int main = cmd.indexOf(MAIN_CLASS);
        Path times = work.resolve("warm-times.json");
        made.add(times);
        cmd.set(main, WarmPrunes.class.getName());
        cmd.add(main + 1, times.toString());
        cmd.add(main + 2, Integer.toString(warm + 1));
        cmd.add(main + 3, Long.toString(Math.round(settle * 1000)));
        Path argFile = work.resolve("warm.args");
        made.add(argFile);
        Files.deleteIfExists(times);
        run(List.of(cmd.get(0), "@" + argFile(argFile, cmd)), null);
        JsonNode ms = Files.exists(times) ? new ObjectMapper().readTree(times.toFile()).path("ms") : null;
        if (ms == null || !ms.isArray() || ms.size() != warm + 1) {
            throw new IOException("the warm runs wrote no times to " + times);
        }
        double[] out = new double[ms.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ms.get(i).asDouble();
        }
        return out;
    }

    private String pythonCommand() {
        if (python != null) {
            return python;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** The peer script: as given, else {@code bench/peer_e2e.py} in the working directory or beside the build. */
    private Path peerScript() {
        return benchFile(peerScript, "peer_e2e.py", "--peer-script");
    }

    /**
     * The native floor's command, its program compiled into {@code work}; null, with a note saying why, when it
     * is skipped: asked to, no source, no compiler, or a model it does not take (only BF16/F16 SafeTensors).
     */
    private List<String> nativeCommand(Path in, Path out, Path work, List<Path> made, List<String> notes,
                                       PrintWriter err) throws InterruptedException {
        if (noNative) {
            notes.add("native floor skipped (--no-native)");
            return null;
        }
        Path source = benchFile(nativeSource, NativeFloor.SOURCE, "--native-source");
        if (source == null) {
            notes.add("native floor skipped: no bench/" + NativeFloor.SOURCE + " found (--native-source)");
            return null;
        }
        if (!in.getFileName().toString().endsWith(".safetensors")) {
            notes.add("native floor skipped: it takes SafeTensors files only");
            return null;
        }
        err.println("bench e2e: compiling the native floor " + source + " ...");
        err.flush();
        try {
            Path exe = NativeFloor.compile(cc, source, work);
            made.add(exe);
            List<String> cmd = NativeFloor.command(exe, in, out, sparsity);
            // One untimed run: a model it does not take fails here, not in the middle of the timed runs.
            try {
                run(cmd, null);
            } finally {
                Files.deleteIfExists(out);
            }
            return cmd;
        } catch (IOException e) {
            notes.add("native floor skipped: " + e.getMessage());
            return null;
        }
    }

    /** A file of {@code bench/}: as given, else {@code bench/NAME} in the working directory or beside the build. */
    private static Path benchFile(Path given, String name, String option) {
        if (given != null) {
            if (!Files.isRegularFile(given)) {
                throw new SparsityBenchCli.UsageException(option + " " + given + ": no such file");
            }
            return given.toAbsolutePath();
        }
        Path here = Path.of("bench", name);
        if (Files.isRegularFile(here)) {
            return here.toAbsolutePath();
        }
        try {
            // target/classes or target/sparsitybench-x.jar: the project is two levels up.
            Path code = Path.of(BenchE2eCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = code.getParent() == null ? null : code.getParent().getParent();
            Path beside = root == null ? null : root.resolve("bench").resolve(name);
            return beside != null && Files.isRegularFile(beside) ? beside : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code file} is older than the jar (or classes folder) this command runs from. */
    private static boolean olderThanBuild(Path file) {
        try {
            Path code = Path.of(BenchE2eCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(code)) < 0;
        } catch (URISyntaxException | IOException | RuntimeException e) {
            return false;
        }
    }

    /** One process's wall time, CPU time (user + system, -1 when unknown) and standard output. */
    private record Timed(double ms, double cpuMs, String stdout) {
    }

    private static final Path TIME = Path.of("/usr/bin/time");

    /** {@link #run}, with the process's CPU time from {@code /usr/bin/time} (written to {@code cpuFile}) when present. */
    private static Timed timed(List<String> cmd, Path cpuFile) throws IOException, InterruptedException {
        if (!Files.isExecutable(TIME)) {
            return run(cmd, null);
        }
        List<String> wrapped = new ArrayList<>(List.of(TIME.toString(), "-f", "%U %S", "-o", cpuFile.toString()));
        wrapped.addAll(cmd);
        Timed t = run(wrapped, null);
        double cpuMs = -1;
        try {
            String[] lines = Files.readString(cpuFile).trim().split("\n");
            String[] f = lines[lines.length - 1].trim().split("\\s+");
            cpuMs = (Double.parseDouble(f[0]) + Double.parseDouble(f[1])) * 1000;
        } catch (IOException | RuntimeException e) {
            // no figure: -1
        }
        return new Timed(t.ms(), cpuMs, t.stdout());
    }

    private static Timed run(List<String> cmd, Path workDir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try (InputStream se = p.getErrorStream()) {
                se.transferTo(stderr);
            } catch (IOException ignored) {
                // whatever arrived is reported
            }
        });
        drain.start();
        try (InputStream so = p.getInputStream()) {
            so.transferTo(stdout);
        }
        if (!p.waitFor(1, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + ": timed out after an hour");
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        drain.join();
        if (p.exitValue() != 0) {
            String e = stderr.toString(StandardCharsets.UTF_8).trim();
            throw new IOException(String.join(" ", cmd.subList(0, Math.min(cmd.size(), 3))) + "... exited with "
                    + p.exitValue() + ": " + e.substring(Math.max(0, e.length() - 400)));
        }
        return new Timed(ms, -1, stdout.toString(StandardCharsets.UTF_8));
    }

    private static String lastJsonLine(String text) {
        String[] lines = text.trim().split("\n");
        return lines[lines.length - 1];
    }

    /**
     * Writes a SafeTensors file of {@link #TENSORS} float32 tensors {@code layers.i.weight [4096, 4096]}, values
     * N(0, 0.02) from {@code seed}, through one reused buffer.
     */
    static void writeModel(Path file, long seed) throws IOException {
        writeModel(file, seed, SIDE);
    }

    /** As {@link #writeModel(Path, long)}, the tensors {@code side} x {@code side} (tests write small ones). */
    static void writeModel(Path file, long seed, int side) throws IOException {
        long bytes = (long) side * side * 4;
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < TENSORS; i++) {
            h.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "\"layers.%d.weight\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[%d,%d]}", i, side,
                    side, i * bytes, (i + 1) * bytes));
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream os = Files.newOutputStream(file)) {
            buf.putLong(header.length).put(header);
            for (long n = (long) TENSORS * side * side; n > 0; n--) {
                if (!buf.hasRemaining()) {
                    os.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat((float) (rnd.nextGaussian() * 0.02));
            }
            os.write(buf.array(), 0, buf.position());
        }
    }

    private static ArrayNode array(ObjectMapper json, double[] v) {
        ArrayNode a = json.createArrayNode();
        for (double x : v) {
            a.add(round(x));
        }
        return a;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Bytes of {@code file} in the page cache (util-linux fincore), or -1 when that cannot be told. */
    private static long residentBytes(Path file) {
        try {
            Timed t = run(List.of("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString()), null);
            return Long.parseLong(t.stdout().trim());
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }

    /** The 1-minute load average (Linux), to tell a busy machine's figures apart; -1 when unknown. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
