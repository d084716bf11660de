package io.policyrec.policy;

import java.util.random.RandomGenerator;

/** Draws actions from a distribution and reports the exact probability of each draw. */
public final class ActionSampler {
    private ActionSampler() {
    }

    /**
     * Draws k distinct actions one after another; at each step the distribution is q restricted to
     * the eligible actions not drawn yet, renormalized. If that leaves no probability mass (every
     * remaining q underflowed to 0), the step is uniform over the eligible actions left.
     *
     * @param eligible the eligible action indices, or null for all actions
     */
    public static Draw draw(double[] q, int[] eligible, int k, RandomGenerator random) {
        int[] actions = new int[k];
        double[] probabilities = new double[k];
        boolean[] taken = new boolean[q.length];
        for (int step = 0; step < k; step++) {
            double mass = 0;
            int left = 0;
            int n = eligible == null ? q.length : eligible.length;
            for (int i = 0; i < n; i++) {
                int a = eligible == null ? i : eligible[i];
                if (!taken[a]) {
                    mass += q[a];
                    left++;
                }
            }
            int chosen = -1;
            double probability;
            if (mass > 0) {
                double u = random.nextDouble() * mass;
                double cumulative = 0;
                int last = -1;
                for (int i = 0; i < n; i++) {
                    int a = eligible == null ? i : eligible[i];
                    if (taken[a] || q[a] <= 0) {
                        continue;
                    }
                    last = a;
                    cumulative += q[a];
                    if (u < cumulative) {
                        chosen = a;
                        break;
                    }
                }
                // Rounding can leave u just above the last partial sum: that sliver belongs to the last action.
                if (chosen < 0) {
                    chosen = last;
                }
                probability = q[chosen] / mass;
            } else {
                int pick = random.nextInt(left);
                for (int i = 0; i < n; i++) {
                    int a = eligible == null ? i : eligible[i];
                    if (!taken[a] && pick-- == 0) {
                        chosen = a;
                        break;
                    }
                }
                probability = 1.0 / left;
            }
            actions[step] = chosen;
            probabilities[step] = probability;
            taken[chosen] = true;
        }
        return new Draw(actions, probabilities);
    }
}
