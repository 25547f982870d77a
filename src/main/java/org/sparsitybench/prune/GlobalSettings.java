package org.sparsitybench.prune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.regex.Pattern;

/**
 * The configuration's global part.
 *
 * @param target      wanted sparsity over the selected (non-excluded) layers, in [0, 1]
 * @param method      default method id of the layers (see {@link PruningMethods}); "magnitude" when null
 * @param allocation  how the target is spread over the free layers; uniform when null
 * @param nmPattern   N:M pattern such as "2:4" for N:M methods, or null (carried; unused by unstructured methods)
 * @param seed        seed of random methods
 * @param calibration calibration data for activation-aware methods, or null (carried)
 * @param roundChannels structured methods keep a multiple of this many channels of each Conv group
 *                    ({@link ChannelRounding}); null or 1 leaves the counts as allocated (configurations written
 *                    before the option reproduce their masks)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GlobalSettings(@JsonProperty("target") double target,
                             @JsonProperty("method") String method,
                             @JsonProperty("allocation") Allocation allocation,
                             @JsonProperty("nmPattern") String nmPattern,
                             @JsonProperty("seed") long seed,
                             @JsonProperty("calibration") CalibrationSpec calibration,
                             @JsonProperty("roundChannels") Integer roundChannels) {
    private static final Pattern NM = Pattern.compile("(\\d{1,4}):(\\d{1,4})");

    public GlobalSettings {
        if (roundChannels != null && roundChannels < 1) {
            throw new IllegalArgumentException("roundChannels " + roundChannels + " must be at least 1");
        }
        if (!(target >= 0 && target <= 1)) {
            throw new IllegalArgumentException("target sparsity " + target + " outside [0, 1]");
        }
        method = method == null ? "magnitude" : method;
        if (method.isBlank()) {
            throw new IllegalArgumentException("method '" + method + "' is blank");
        }
        allocation = allocation == null ? Allocation.UNIFORM : allocation;
        if (nmPattern != null) {
            var m = NM.matcher(nmPattern);
            if (!m.matches() || Integer.parseInt(m.group(2)) == 0
                    || Integer.parseInt(m.group(1)) > Integer.parseInt(m.group(2))) {
                throw new IllegalArgumentException("N:M pattern '" + nmPattern + "' is not N:M with 0 <= N <= M, M > 0");
            }
        }
    }

    /** Settings without channel rounding. */
    public GlobalSettings(double target, String method, Allocation allocation, String nmPattern, long seed,
                          CalibrationSpec calibration) {
        this(target, method, allocation, nmPattern, seed, calibration, null);
    }

    /** The multiple kept channel counts are rounded to: 1 when not set. */
    public int channelMultiple() {
        return roundChannels == null ? 1 : roundChannels;
    }

    public GlobalSettings withRoundChannels(Integer multiple) {
        return new GlobalSettings(target, method, allocation, nmPattern, seed, calibration, multiple);
    }

    /** Magnitude pruning to {@code target} with the given allocation, seed 0, nothing else. */
    public static GlobalSettings of(double target, String method, Allocation allocation) {
        return new GlobalSettings(target, method, allocation, null, 0, null);
    }

    public GlobalSettings withTarget(double newTarget) {
        return new GlobalSettings(newTarget, method, allocation, nmPattern, seed, calibration, roundChannels);
    }

    public GlobalSettings withSeed(long newSeed) {
        return new GlobalSettings(target, method, allocation, nmPattern, newSeed, calibration, roundChannels);
    }
}
