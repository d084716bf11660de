package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scores with each row's dot product computed once per request are the two towers' scores,
 * u(x) . v(a) + beta(a) with v(a) summed row by row, whatever rows the candidates share.
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
            for (int a = 0; a < n; a++) {
                float[] v = new float[d];
                HashedTable.addRows(table.rows(), scales, candidates[a].features(), v);
                double expected = rows[candidates[a].identity()][0];
                for (int j = 0; j < d; j++) {
                    expected += u[j] * v[j];
                }
                assertEquals(expected, out[a], 1e-3 * (1 + Math.abs(expected)), "candidate " + a + " of " + n);
            }
        }
    }
}
