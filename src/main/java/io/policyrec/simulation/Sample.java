package io.policyrec.simulation;

/**
 * One context of an environment with the reward every action would get there.
 *
 * @param best the action with the highest reward (the label, or the best-scoring track)
 */
public record Sample(float[] context, double[] rewards, int best) {
}
