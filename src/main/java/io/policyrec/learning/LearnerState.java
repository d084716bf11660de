package io.policyrec.learning;

import java.util.List;

/**
 * Everything a learner needs to continue exactly where it stopped.
 *
 * @param params         the master copy of the parameters (double precision; serving uses floats)
 * @param optimizerState Adam's first and second moment estimates, as ND4J lays them out
 * @param previous       the flat parameters of the earlier policies the "previous" reference mixes
 * @param featureScales  a hashed-features policy's per-bucket scales (null for a dense policy)
 */
public record LearnerState(double[] params, double[] optimizerState, long updates, double baseline,
                           long baselineBatches, double lambda, List<float[]> previous, float[] featureScales) {
    public LearnerState {
        previous = List.copyOf(previous);
    }

    /** The state of a dense policy. */
    public LearnerState(double[] params, double[] optimizerState, long updates, double baseline,
                        long baselineBatches, double lambda, List<float[]> previous) {
        this(params, optimizerState, updates, baseline, baselineBatches, lambda, previous, null);
    }
}
