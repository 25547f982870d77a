package org.sparsitybench.train;

/**
 * How a raw pixel becomes a network input: {@code (value·scale − mean)/std}, one mean and std for all pixels.
 *
 * @param scale maps raw values to [0, 1] (1/255 for bytes, 1/16 for the 8×8 digits)
 * @param mean  mean of scaled training pixels
 * @param std   standard deviation of scaled training pixels
 */
public record Preprocessing(double scale, double mean, double std) {
    public Preprocessing {
        if (!(std > 0) || !Double.isFinite(mean) || !(scale > 0)) {
            throw new IllegalArgumentException("scale " + scale + ", mean " + mean + ", std " + std);
        }
    }

    /** Mean and (population) standard deviation of {@code raw·scale} over every value of {@code raw}. */
    public static Preprocessing fit(float[] raw, double scale) {
        double sum = 0;
        for (float v : raw) {
            sum += v * scale;
        }
        double mean = sum / raw.length;
        double sq = 0;
        for (float v : raw) {
            double d = v * scale - mean;
            sq += d * d;
        }
        return new Preprocessing(scale, mean, Math.sqrt(sq / raw.length));
    }

    /** Normalises {@code values} in place (modified). */
    public void applyInPlace(float[] values) {
        float a = (float) (scale / std);
        float b = (float) (mean / std);
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] * a - b;
        }
    }
}
