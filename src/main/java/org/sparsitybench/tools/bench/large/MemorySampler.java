package org.sparsitybench.tools.bench.large;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Memory: samples the process's anonymous RSS and the used heap every 20 ms, keeping the peaks. */
final class MemorySampler implements Runnable {
    private final AtomicLong peakAnon = new AtomicLong();
    private final AtomicLong peakHeap = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    private MemorySampler() {
    }

    static MemorySampler start() {
        MemorySampler s = new MemorySampler();
        s.thread = new Thread(s, "bench-large-memory");
        s.thread.setDaemon(true);
        s.thread.start();
        return s;
    }

    @Override
    public void run() {
        while (running) {
            sample();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        Map<String, Long> s = procStatus();
        peakAnon.accumulateAndGet(s.getOrDefault("RssAnon", 0L), Math::max);
        peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    }

    ObjectNode report(ObjectMapper json) {
        ObjectNode mem = json.createObjectNode();
        Map<String, Long> status = procStatus();
        mem.put("peakRssMB", mb(status.getOrDefault("VmHWM", -1L)));
        mem.put("peakRssAnonSampledMB", mb(peakAnon.get()));
        mem.put("peakHeapUsedSampledMB", mb(peakHeap.get()));
        mem.put("heapPoolPeaksSumMB", mb(heapPoolPeaks()));
        mem.put("maxHeapMB", mb(Runtime.getRuntime().maxMemory()));
        mem.put("note", "peakRssMB (VmHWM) counts the file's pages mapped into the process (and, for onnx, "
                + "ONNX Runtime's copy of the weights) as well; peakRssAnonSampledMB is the process's own memory "
                + "(heap, JIT, threads, native), sampled every 20 ms; heapPoolPeaksSumMB sums each heap pool's "
                + "own peak, an upper bound of the heap's peak");
        return mem;
    }

    /** Stops sampling (once; later calls do nothing) after one last sample. */
    void stop() throws InterruptedException {
        if (running) {
            running = false;
            thread.interrupt();
            thread.join();
            sample();
        }
    }

    /** The byte-valued lines of /proc/self/status (VmHWM, VmRSS, RssAnon, RssFile, ...); empty off Linux. */
    static Map<String, Long> procStatus() {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                String[] f = line.split("\\s+");
                if (f.length == 3 && f[2].equals("kB")) {
                    out.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figures
        }
        return out;
    }

    /** CPU time of the whole process (all threads, GC included), for figures on a machine shared with others. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long heapPoolPeaks() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** Bytes in MiB, rounded; -1 stays -1 (unknown). */
    static long mb(long bytes) {
        return bytes < 0 ? -1 : Math.round(bytes / 1048576.0);
    }
}
