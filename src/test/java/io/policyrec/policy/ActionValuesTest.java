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
    void aScaleStartsAtTheFirstMeanDeviationAndThenMovesAFifthOfTheWayToEach() {
        assertEquals(30f, ActionValues.spread(0f, 30f), "the first sets it");
        assertEquals(30f + 0.2f * (130f - 30f), ActionValues.spread(30f, 130f), 1e-5f);
        assertEquals(30f - 0.2f * 20f, ActionValues.spread(30f, 10f), 1e-5f);
        assertEquals(30f, ActionValues.spread(30f, 0f));
        assertEquals(30f, ActionValues.spread(30f, Float.MIN_VALUE), "a subnormal deviation, whose inverse overflows");
        assertEquals(0f, ActionValues.spread(0f, Float.MIN_VALUE), "nor does it start a scale");
        assertEquals(30f, ActionValues.spread(30f, Float.NaN));
        assertEquals(30f, ActionValues.spread(30f, Float.POSITIVE_INFINITY));
    }

    @Test
    void onlyOneStepInAHundredMovesTheScales() {
        assertEquals(true, ActionValues.refreshes(0));
        assertEquals(false, ActionValues.refreshes(1));
        assertEquals(false, ActionValues.refreshes(99));
        assertEquals(true, ActionValues.refreshes(100));
    }
}
