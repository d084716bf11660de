package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The probabilities the sampler returns are the ones it draws with: empirical frequencies of
 * 100,000 draws against them, by a chi-square test, with masks, k > 1 and a probability floor.
 */
class ActionSamplerTest {
    static final int DRAWS = 100_000;

    /** Upper 0.999 quantile of chi-square with df degrees of freedom (Wilson-Hilferty). */
    static double chiSquareCritical(int df) {
        double z = 3.090;
        double a = 2.0 / (9 * df);
        return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
    }

    static void assertFrequenciesMatch(long[] counts, double[] expected, long total, String what) {
        double chi = 0;
        int df = -1;
        for (int a = 0; a < counts.length; a++) {
            if (expected[a] > 0) {
                double e = expected[a] * total;
                chi += (counts[a] - e) * (counts[a] - e) / e;
                df++;
            } else {
                assertEquals(0, counts[a], what + ": drew an action with probability 0");
            }
        }
        assertTrue(chi < chiSquareCritical(Math.max(df, 1)), what + ": chi-square " + chi + " with " + df + " df");
    }

    @Test
    void singleDrawsFollowTheReturnedProbabilitiesWithMaskAndFloor() {
        double[] logits = {2.0, -1.0, 0.5, 3.0, -4.0, 0.0};
        int[] eligible = {0, 2, 3, 4};
        double[] q = ActionDistribution.of(logits, eligible, 0.04);
        double sum = 0;
        for (int a : eligible) {
            assertTrue(q[a] >= 0.04 - 1e-15, "floor");
            sum += q[a];
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(0.0, q[1]);
        assertEquals(0.0, q[5]);
        SplittableRandom random = new SplittableRandom(1);
        long[] counts = new long[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            Draw d = ActionSampler.draw(q, eligible, 1, random);
            assertEquals(q[d.first()], d.firstProbability(), 1e-15, "the returned probability is q of the action");
            counts[d.first()]++;
        }
        assertFrequenciesMatch(counts, q, DRAWS, "single draws");
    }

    @Test
    void laterPositionsOfARankingFollowTheirConditionalProbabilities() {
        double[] q = ActionDistribution.of(new double[] {1.0, 0.2, -0.3, 0.8, 0.0}, null, 0.05);
        SplittableRandom random = new SplittableRandom(2);
        Map<Integer, long[]> secondGivenFirst = new HashMap<>();
        Map<Integer, double[]> expectedSecond = new HashMap<>();
        Map<Integer, Long> firstCounts = new HashMap<>();
        long[] firstAll = new long[q.length];
        for (int i = 0; i < DRAWS; i++) {
            Draw d = ActionSampler.draw(q, null, 3, random);
            int first = d.actions()[0];
            int second = d.actions()[1];
            assertTrue(first != second && second != d.actions()[2] && first != d.actions()[2], "distinct");
            firstAll[first]++;
            firstCounts.merge(first, 1L, Long::sum);
            secondGivenFirst.computeIfAbsent(first, f -> new long[q.length])[second]++;
            double expected = q[second] / (1 - q[first]);
            assertEquals(expected, d.probabilities()[1], 1e-12, "step-two probability is conditional");
            expectedSecond.computeIfAbsent(first, f -> {
                double[] e = new double[q.length];
                for (int a = 0; a < q.length; a++) {
                    e[a] = a == f ? 0 : q[a] / (1 - q[f]);
                }
                return e;
            });
        }
        assertFrequenciesMatch(firstAll, q, DRAWS, "first position");
        for (Map.Entry<Integer, long[]> e : secondGivenFirst.entrySet()) {
            assertFrequenciesMatch(e.getValue(), expectedSecond.get(e.getKey()), firstCounts.get(e.getKey()),
                    "second position given first " + e.getKey());
        }
    }

    @Test
    void underflowedProbabilitiesFallBackToUniformAmongEligible() {
        double[] q = {1.0, 0.0, 0.0, 0.0};
        int[] eligible = {0, 1, 3};
        Draw d = ActionSampler.draw(q, eligible, 3, new SplittableRandom(3));
        assertEquals(0, d.actions()[0]);
        assertEquals(0.5, d.probabilities()[1], 1e-15);
        assertEquals(1.0, d.probabilities()[2], 1e-15);
        assertTrue(d.actions()[1] != 2 && d.actions()[2] != 2, "never an ineligible action");
    }
}
