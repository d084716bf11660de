package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scores with each row's dot product computed once per request are the two towers' scores,
 * u(x) . v(a) + beta(a) with v(a) summed row by row ({@link ActionValues}), whatever rows the
 * candidates share.
 */
class CandidateWeightsTest {

    @Test
    void scoresAreTheTowersDotProductPlusTheIdentityBias() {
        SplittableRandom r = new SplittableRandom(5);
        int rowsCount = 64;
        int d = 8;
        float[][] rows = new float[rowsCount][d];
        float[] scales = new float[rowsCount];
        for (int i = 0; i < rowsCount; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = (float) r.nextGaussian();
            }
            scales[i] = r.nextBoolean() ? 0f : (float) (1 + 10 * r.nextDouble());
        }
        float[] bias = new float[d];
        for (int j = 0; j < d; j++) {
            bias[j] = (float) r.nextGaussian();
        }
        HashedTable table = new HashedTable(TableRows.of(rows), bias, scales);
        CandidateWeights weights = new CandidateWeights(table, new CandidateLayout(4, 4));
        // 700 candidates drawing from 20 shared rows, more features than the per-thread table starts
        // with; each round another context, so a dot product kept from the round before is wrong.
        for (int round = 0; round < 3; round++) {
            Context x = new Context(new int[] {1, 3 + round, 7}, new float[] {1f, 0.5f, -2f});
            int n = round == 0 ? 3 : 700;
            Candidate[] candidates = new Candidate[n];
            for (int a = 0; a < n; a++) {
                int m = r.nextInt(5);
                int[] idx = new int[m];
                float[] val = new float[m];
                for (int k = 0; k < m; k++) {
                    idx[k] = 40 + r.nextInt(20);
                    val[k] = r.nextInt(4) == 0 ? 0f : (float) (50 * r.nextGaussian());
                }
                candidates[a] = new Candidate(r.nextInt(rowsCount), new Context(idx, val));
            }
            double[] out = new double[n];
            weights.scores(x, candidates, out);
            float[] u = new float[d];
            table.embed(x, u);
            float[] mean = new float[rowsCount];
            for (Candidate c : candidates) {
                for (int k = 0; k < c.features().size(); k++) {
                    mean[c.features().indices()[k]] += c.features().values()[k];
                }
            }
            for (int i = 0; i < rowsCount; i++) {
                mean[i] /= n;
            }
            for (int a = 0; a < n; a++) {
                float[] v = new float[d];
                Context f = candidates[a].features();
                for (int k = 0; k < f.size(); k++) {
                    int i = f.indices()[k];
                    float value = ActionValues.of(f.values()[k], mean[i], scales[i]);
                    for (int j = 0; j < d; j++) {
                        v[j] += value * rows[i][j];
                    }
                }
                double expected = rows[candidates[a].identity()][0];
                for (int j = 0; j < d; j++) {
                    expected += u[j] * v[j];
                }
                assertEquals(expected, out[a], 1e-3 * (1 + Math.abs(expected)), "candidate " + a + " of " + n);
            }
        }
    }

    /**
     * A feature every candidate has, shifted by the same amount for all, leaves the scores'
     * differences (so the probabilities) as they were: it enters by its spread around the
     * decision's mean. Scaled by its magnitude, a price of 1,000 +- 50 against a scale of 100 sat at
     * the clamp for every candidate and told them apart no more.
     */
    @Test
    void aFeatureShiftedForEveryCandidateScoresTheSame() {
        int d = 4;
        float[][] rows = new float[64][d];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = (float) Math.sin(7 * i + j);
            }
        }
        float[] scales = new float[64];
        scales[20] = 100f; // an action row of CandidateLayout(4, 4): 16 to 31
        HashedTable table = new HashedTable(TableRows.of(rows), new float[d], scales);
        CandidateWeights weights = new CandidateWeights(table, new CandidateLayout(4, 4));
        Context x = new Context(new int[] {1, 2}, new float[] {1f, 1f});
        float[] price = {-40f, 0f, 15f, 50f};
        double[] plain = new double[price.length];
        double[] shifted = new double[price.length];
        weights.scores(x, priced(price, 0f), plain);
        weights.scores(x, priced(price, 1000f), shifted);
        for (int a = 1; a < price.length; a++) {
            assertEquals(plain[a] - plain[0], shifted[a] - shifted[0], 1e-4, "candidate " + a + " against 0");
        }
        assertEquals(true, Math.abs(plain[3] - plain[0]) > 0.01, "the price tells candidates apart");
        // A candidate with a price of 0 scores as one without a price: both enter as 0.
        Candidate[] withZero = priced(price, 0f);
        Candidate[] without = withZero.clone();
        without[1] = new Candidate(without[1].identity(), new Context(new int[0], new float[0]));
        double[] a = new double[price.length];
        double[] b = new double[price.length];
        weights.scores(x, withZero, a);
        weights.scores(x, without, b);
        assertEquals(a[1] - a[0], b[1] - b[0], 1e-6, "a price of 0 and no price");
    }

    private static Candidate[] priced(float[] price, float offset) {
        Candidate[] c = new Candidate[price.length];
        for (int a = 0; a < c.length; a++) {
            c[a] = new Candidate(32 + a, new Context(new int[] {20}, new float[] {price[a] + offset}));
        }
        return c;
    }
}
