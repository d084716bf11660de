package io.policyrec.learning;

import java.util.List;

/**
 * Everything a learner needs to continue exactly where it stopped.
 *
 * <p>A policy over hashed named features keeps its first layer's rows apart: {@code params} and
 * {@code optimizerState} then hold the flat layout after the rows (the first layer's bias, then
 * the later layers), and {@code changedRows} the rows steps changed, so that a state costs the
 * rows a policy has learned, not 2^bits of them.
 *
 * @param params         the master copy of the parameters (double precision; serving uses floats)
 * @param optimizerState Adam's first and second moment estimates, as ND4J lays them out ([m | v])
 * @param previous       the flat parameters of the earlier policies the "previous" reference mixes
 * @param featureScales  a hashed-features policy's per-bucket scales (null for a dense policy)
 * @param changedRows    a hashed-features policy's first-layer rows, per bucket: its weights, then
 *                       Adam's m and v for them (3 x width floats), or null for a row still as the
 *                       config's seed drew it, with zero moments (null for a dense policy). The row
 *                       arrays are never modified: successive states of one learner share the rows
 *                       not changed between them, which is how a snapshot store finds what changed.
 */
public record LearnerState(double[] params, double[] optimizerState, long updates, double baseline,
                           long baselineBatches, double lambda, List<float[]> previous, float[] featureScales,
                           float[][] changedRows) {
    public LearnerState {
        previous = List.copyOf(previous);
    }

    /** The state of a dense policy. */
    public LearnerState(double[] params, double[] optimizerState, long updates, double baseline,
                        long baselineBatches, double lambda, List<float[]> previous) {
        this(params, optimizerState, updates, baseline, baselineBatches, lambda, previous, null, null);
    }

    /** The rows that differ from the seed's (0 for a dense policy). */
    public int changedRowCount() {
        int n = 0;
        if (changedRows != null) {
            for (float[] r : changedRows) {
                if (r != null) {
                    n++;
                }
            }
        }
        return n;
    }
}
