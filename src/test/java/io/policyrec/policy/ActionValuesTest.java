package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The value a candidate's feature enters its score with (its spread around the decision's mean),
 * and how a bucket's scale learns that spread.
 */
class ActionValuesTest {

    @Test
    void insideTheWindowCandidatesDifferByTheirDifferenceOverTheScale() {
        // A tempo of 120 against a scale of 30: 0 lies outside the window, which shifts every candidate alike.
        assertEquals(20f / 30f, ActionValues.of(130f, 120f, 30f) - ActionValues.of(110f, 120f, 30f), 1e-6f);
        // An indicator half of the candidates have: 0 and 1 both inside.
        assertEquals(1f / 0.5f, ActionValues.of(1f, 0.5f, 0.5f), 1e-6f);
    }

    @Test
    void zeroEntersAsZeroAsAnAbsentFeatureDoes() {
        assertEquals(0f, ActionValues.of(0f, 120f, 60f));
        assertEquals(0f, ActionValues.of(0f, -3f, 0.5f));
    }

    @Test
    void anOutlierIsHeldAtTheEdgeOfTheWindowThreeScalesFromTheMean() {
        assertEquals(ActionValues.of(300f, 120f, 60f), ActionValues.of(10_000f, 120f, 60f));
        assertEquals(ActionValues.of(-60f, 120f, 60f), ActionValues.of(-10_000f, 120f, 60f));
        assertEquals(179f / 60f, ActionValues.of(299f, 120f, 60f) - ActionValues.of(120f, 120f, 60f), 1e-5f);
    }

    @Test
    void aBucketNotLearnedFromEntersAsZero() {
        assertEquals(0f, ActionValues.of(5f, 2f, 0f));
    }

    @Test
    void theScaleIsARunningMeanOfTheDeviationsThatAreNotZero() {
        assertEquals(30f, ActionValues.spread(0f, 30f), "the first deviation sets it");
        assertEquals(30f + 0.001f * (130f - 30f), ActionValues.spread(30f, 130f), 1e-5f);
        assertEquals(30f - 0.001f * 20f, ActionValues.spread(30f, 10f), 1e-5f);
        assertEquals(30f, ActionValues.spread(30f, 0f), "a candidate at the mean leaves it");
        assertEquals(30f, ActionValues.spread(30f, Float.NaN));
        assertEquals(30f, ActionValues.spread(30f, Float.POSITIVE_INFINITY));
        float s = 0f;
        for (int i = 0; i < 20_000; i++) {
            s = ActionValues.spread(s, i % 2 == 0 ? 10f : 30f);
        }
        assertEquals(20f, s, 0.2f, "about the mean deviation");
    }
}
