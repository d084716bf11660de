package io.policyrec.policy;

/**
 * The distribution actions are drawn from: the softmax of the logits, masked to the eligible
 * actions, with the probability floor mixed in. With E the eligible actions and m the floor:
 * q_a = m + (1 - |E| m) * softmax_E(z)_a for a in E, and 0 elsewhere, so q_a >= m on E.
 */
public final class ActionDistribution {
    private ActionDistribution() {
    }

    /**
     * @param eligible the eligible action indices, or null for all actions
     */
    public static double[] of(double[] logits, int[] eligible, double minProbability) {
        int k = logits.length;
        double[] q = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        if (eligible == null) {
            for (double z : logits) {
                max = Math.max(max, z);
            }
            double sum = 0;
            for (int a = 0; a < k; a++) {
                q[a] = Math.exp(logits[a] - max);
                sum += q[a];
            }
            floor(q, null, sum, minProbability, k);
        } else {
            for (int a : eligible) {
                max = Math.max(max, logits[a]);
            }
            double sum = 0;
            for (int a : eligible) {
                q[a] = Math.exp(logits[a] - max);
                sum += q[a];
            }
            floor(q, eligible, sum, minProbability, eligible.length);
        }
        return q;
    }

    private static void floor(double[] q, int[] eligible, double sum, double m, int n) {
        double scale = (1.0 - n * m) / sum;
        if (eligible == null) {
            for (int a = 0; a < q.length; a++) {
                q[a] = m + scale * q[a];
            }
        } else {
            for (int a : eligible) {
                q[a] = m + scale * q[a];
            }
        }
    }

    /** Mean entropy in nats of a distribution, ignoring zero entries. */
    public static double entropy(double[] q) {
        double h = 0;
        for (double p : q) {
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
