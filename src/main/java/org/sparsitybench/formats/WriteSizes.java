package org.sparsitybench.formats;

/**
 * How many bytes each {@code write} system call of a {@link BackgroundWrites} takes: the cheaper of two sizes, as
 * measured on the file being written. What the kernel's copy into new page-cache memory costs depends on the
 * machine's state, not only on the size: on this project's VMs, which hand freed memory back to their host, 1 MiB
 * calls cost the 1B BF16 export 2.4 s of kernel time against 1.2 s for 64 KiB calls while the host was slow to back
 * returned memory (01:10, 8 runs each: 4.38 against 3.26 s in all), and 1 MiB calls were the cheaper ones once it was
 * quick (02:44, 5 runs: 2.83 against 3.30 s; 256 KiB 3.09 s). So the first {@link #TRIAL_BYTES} of each size are
 * written in turns, timed, and the size with fewer nanoseconds per byte is kept for the rest. Used by one thread.
 *
 * <p>Only writes through the page cache choose: a {@link BackgroundWrites} given its file's path writes with direct
 * I/O ({@link DirectWrites}: SafeTensors exports of 64 MiB and more), which never fills page-cache memory.
 */
final class WriteSizes {
    /** Bytes written with each size before one is chosen. */
    static final long TRIAL_BYTES = 16L << 20;

    private final int[] sizes;
    private final long[] bytes;
    private final long[] nanos;
    private int turn;
    private int chosen = -1;

    private WriteSizes(int... sizes) {
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("write size " + s + " must be positive");
            }
        }
        this.sizes = sizes.clone();
        this.bytes = new long[sizes.length];
        this.nanos = new long[sizes.length];
        if (sizes.length == 1) {
            chosen = 0;
        }
    }

    /** Small calls (64 KiB) against large ones (1 MiB), chosen by their times. */
    static WriteSizes measured() {
        return new WriteSizes(BackgroundWrites.WRITE_BYTES, 1 << 20);
    }

    /** Always {@code size}. */
    static WriteSizes fixed(int size) {
        return new WriteSizes(size);
    }

    /** The size of the calls that write the next buffer. */
    int next() {
        if (chosen >= 0) {
            return sizes[chosen];
        }
        return sizes[turn];
    }

    /** {@code n} bytes were written in calls of the last {@link #next} size in {@code ns} nanoseconds. */
    void record(long n, long ns) {
        if (chosen >= 0) {
            return;
        }
        bytes[turn] += n;
        nanos[turn] += Math.max(0, ns);
        turn = (turn + 1) % sizes.length;
        for (long b : bytes) {
            if (b < TRIAL_BYTES) {
                return;
            }
        }
        int best = 0;
        for (int i = 1; i < sizes.length; i++) {
            // nanos[i] / bytes[i] < nanos[best] / bytes[best], without the divisions' rounding
            if ((double) nanos[i] * bytes[best] < (double) nanos[best] * bytes[i]) {
                best = i;
            }
        }
        chosen = best;
    }

    /** The size kept after the trials, or -1 while they go on. */
    int chosen() {
        return chosen < 0 ? -1 : sizes[chosen];
    }
}
