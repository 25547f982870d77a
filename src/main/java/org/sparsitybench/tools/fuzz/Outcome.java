package org.sparsitybench.tools.fuzz;

/**
 * What reading one case did.
 *
 * @param error  null when it loaded (and every check after loading passed)
 * @param phase  {@code "read"} when {@code error} came from the reader itself, else what was being done after a
 *               successful load (decoding a tensor's values, iterating batches)
 * @param loaded what was loaded, in words (tensor count, sample count), when it loaded
 */
public record Outcome(Throwable error, String phase, String loaded) {
    public static final String READ = "read";

    public static Outcome loaded(String what) {
        return new Outcome(null, null, what);
    }

    public static Outcome failed(Throwable error) {
        return new Outcome(error, READ, null);
    }
}
