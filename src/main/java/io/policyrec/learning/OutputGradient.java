package io.policyrec.learning;

import java.util.List;

/**
 * The loss of one batch and its gradient with respect to the output logits z (B x K, row-major):
 *
 * <pre>
 * L = -mean_b[ w_b (r_b - baseline) log(pi_E(a_b|x_b) + 1e-8) ] + s lambda mean_b R(pi(.|x_b); ref_b)
 * </pre>
 *
 * where pi is the softmax of z, pi_E its renormalization over the decision's eligible actions, w_b
 * the (clipped) importance weight, treated as a constant, and s = +1 to pull towards the reference
 * or -1 to push away from it. The policy-gradient term reaches only the sampled action's log
 * probability; the regularizer reaches the whole distribution.
 */
public final class OutputGradient {
    private OutputGradient() {
    }

    /** Softmax of each row of z into p. */
    public static void softmax(double[] z, int rows, int k, double[] p) {
        System.arraycopy(z, 0, p, 0, rows * k);
        for (int b = 0; b < rows; b++) {
            softmaxInPlace(p, b * k, k);
        }
    }

    /** Softmax in place over the k values of z from o on (one decision's actions or candidates). */
    public static void softmaxInPlace(double[] z, int o, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = o; a < o + k; a++) {
            max = Math.max(max, z[a]);
        }
        double sum = 0;
        for (int a = o; a < o + k; a++) {
            z[a] = Math.exp(z[a] - max);
            sum += z[a];
        }
        for (int a = o; a < o + k; a++) {
            z[a] /= sum;
        }
    }

    /** One row of p renormalized over the eligible actions (zero elsewhere); p itself if all are eligible. */
    public static double[] eligibleRow(double[] p, int offset, int k, int[] eligible) {
        double[] row = new double[k];
        if (eligible == null) {
            System.arraycopy(p, offset, row, 0, k);
            return row;
        }
        double sum = 0;
        for (int a : eligible) {
            sum += p[offset + a];
        }
        for (int a : eligible) {
            row[a] = p[offset + a] / sum;
        }
        return row;
    }

    /**
     * @param p         softmax probabilities (B x K)
     * @param reference reference distributions (B x K), or null for the uniform distribution
     * @param dz        receives dL/dz (B x K)
     * @return the loss
     */
    public static double lossAndGradient(double[] p, int k, List<RewardedDecision> batch, double[] importance,
                                         double baseline, Regularizer regularizer, double signedLambda,
                                         double[] reference, double[] dz) {
        int rows = batch.size();
        double loss = 0;
        Row row = new Row(k);
        for (int b = 0; b < rows; b++) {
            RewardedDecision d = batch.get(b);
            double coef = importance[b] * (d.reward() - baseline) / rows;
            if (reference != null) {
                System.arraycopy(reference, b * k, row.ref, 0, k);
            }
            loss += row.lossAndGradient(p, b * k, k, d.eligible(), d.action(), coef, regularizer,
                    signedLambda / rows, dz);
        }
        return loss;
    }

    /**
     * One decision's share of the loss and of dL/dz, over k actions at an offset (the fixed actions
     * of a batch row, or one decision's candidates); its scratch is reused from row to row.
     */
    public static final class Row {
        /** The reference distribution: uniform over k unless the caller writes another into it. */
        final double[] ref;
        private final double[] pr;
        private final double[] grad;

        public Row(int k) {
            ref = new double[k];
            pr = new double[k];
            grad = new double[k];
            java.util.Arrays.fill(ref, 1.0 / k);
        }

        /**
         * @param coef   w (r - baseline) / B: the policy-gradient weight of this decision
         * @param weight s lambda / B: the regularizer's weight
         */
        public double lossAndGradient(double[] p, int o, int k, int[] eligible, int action, double coef,
                                      Regularizer regularizer, double weight, double[] dz) {
            double[] pe = eligibleRow(p, o, k, eligible);
            double loss = -coef * Math.log(pe[action] + Regularizer.EPS);
            double scale = -coef * pe[action] / (pe[action] + Regularizer.EPS);
            for (int j = 0; j < k; j++) {
                dz[o + j] = scale * ((j == action ? 1.0 : 0.0) - pe[j]);
            }
            if (regularizer != null && weight != 0) {
                System.arraycopy(p, o, pr, 0, k);
                loss += weight * regularizer.value(pr, ref);
                regularizer.gradient(pr, ref, grad);
                double gp = 0;
                for (int j = 0; j < k; j++) {
                    gp += grad[j] * pr[j];
                }
                // Through the softmax: dL/dz_j = p_j (dL/dp_j - sum_i p_i dL/dp_i).
                for (int j = 0; j < k; j++) {
                    dz[o + j] += weight * pr[j] * (grad[j] - gp);
                }
            }
            return loss;
        }
    }

    /** Mean entropy in nats of the rows of p. */
    public static double meanEntropy(double[] p, int rows, int k) {
        double h = 0;
        for (int i = 0; i < rows * k; i++) {
            if (p[i] > 0) {
                h -= p[i] * Math.log(p[i]);
            }
        }
        return h / rows;
    }
}
