package io.policyrec.serving;

import static io.policyrec.serving.Requests.eventId;
import static io.policyrec.serving.Requests.feedback;
import static io.policyrec.serving.Requests.problem;
import static io.policyrec.serving.Requests.put;
import static io.policyrec.testing.Metrics.awaitAtLeast;
import static io.policyrec.testing.Metrics.value;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.testing.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HTTP feedback path end to end: rewards join decisions exactly once, by the policy's
 * aggregation, and what cannot be joined is counted by reason.
 */
@QuarkusTest
class FeedbackResourceTest {
    static final float[] X = {0.5f, -0.5f, 1f};
    static final String REJECTED = "policyrec_feedback_rejected_total{reason=\"%s\"}";
    static final String REWARDED = "policyrec_decisions_joined_total{outcome=\"rewarded\"}";
    static final String DEFAULTED = "policyrec_decisions_joined_total{outcome=\"default\"}";

    static void policy(String name, String aggregation, String window) {
        put(name, Map.of("contextDimension", 3, "actions", 3, "batchSize", 1, "rewardAggregation", aggregation,
                "rewardWindow", window, "seed", 5)).statusCode(isOneOf(200, 201));
    }

    @Test
    void earliestAppliesAtTheFirstRewardAndCountsDuplicates() {
        policy("f-earliest", "earliest", "PT30S");
        String id = eventId("f-earliest", X);
        double rewarded = value(REWARDED);
        double duplicates = value(REJECTED.formatted("duplicate"));
        feedback(Map.of("eventId", id, "reward", 1.0)).statusCode(202).body("accepted", equalTo(1));
        assertEquals(1, Requests.awaitVersion("f-earliest", 1, 5000), "applied at its first reward");
        feedback(Map.of("eventId", id, "reward", 0.5)).statusCode(202);
        awaitAtLeast(REJECTED.formatted("duplicate"), duplicates + 1, 5000);
        // Counted as a duplicate means the join has classified it: it can no longer be applied.
        assertEquals(1, Requests.version("f-earliest"), "a duplicate is never applied");
        assertEquals(rewarded + 1, value(REWARDED), 0.0);
    }

    @Test
    void sumAndMaxApplyOnceWhenTheWindowCloses() {
        for (String aggregation : List.of("sum", "max")) {
            String name = "f-" + aggregation;
            policy(name, aggregation, "PT0.6S");
            long decided = System.currentTimeMillis();
            String id = eventId(name, X);
            feedback(List.of(Map.of("eventId", id, "reward", 1.0), Map.of("eventId", id, "reward", 2.0)))
                    .statusCode(202).body("accepted", equalTo(2));
            assertEquals(1, Requests.awaitVersion(name, 1, 5000), "applied at window close");
            assertTrue(System.currentTimeMillis() - decided >= 600, "nothing is applied before the window closes");
            // A second decision, left without a reward, is applied at its own window close: if the first
            // had been applied twice, the second update would come before that.
            long second = System.currentTimeMillis();
            eventId(name, X);
            assertEquals(2, Requests.awaitVersion(name, 2, 5000), "the next update is the second decision's");
            assertTrue(System.currentTimeMillis() - second >= 600, "and only once: the first was not applied again");
        }
    }

    @Test
    void noRewardByTheEndOfTheWindowAppliesTheDefault() {
        policy("f-default", "earliest", "PT0.3S");
        double defaulted = value(DEFAULTED);
        eventId("f-default", X);
        assertEquals(1, Requests.awaitVersion("f-default", 1, 5000));
        assertEquals(defaulted + 1, value(DEFAULTED), 0.0);
    }

    @Test
    void lateAndUnknownRewardsAreCountedAndIgnored() {
        policy("f-late", "sum", "PT0.3S");
        String id = eventId("f-late", X);
        assertEquals(1, Requests.awaitVersion("f-late", 1, 5000), "the window closed with the default reward");
        double late = value(REJECTED.formatted("late"));
        double unknown = value(REJECTED.formatted("unknown"));
        feedback(Map.of("eventId", id, "reward", 1.0)).statusCode(202);
        feedback(Map.of("eventId", "never-decided", "reward", 1.0)).statusCode(202);
        awaitAtLeast(REJECTED.formatted("late"), late + 1, 5000);
        awaitAtLeast(REJECTED.formatted("unknown"), unknown + 1, 5000);
        // Counted as late means the join has classified it: it can no longer be applied.
        assertEquals(1, Requests.version("f-late"));
    }

    @Test
    void aRewardStampedAfterTheWindowIsLate() {
        policy("f-stamped", "earliest", "PT30S");
        String id = eventId("f-stamped", X);
        double late = value(REJECTED.formatted("late"));
        feedback(Map.of("eventId", id, "reward", 1.0, "timestamp", System.currentTimeMillis() + 3_600_000L))
                .statusCode(202);
        awaitAtLeast(REJECTED.formatted("late"), late + 1, 5000);
        assertEquals(0, Requests.version("f-stamped"));
        feedback(Map.of("eventId", id, "reward", 1.0, "timestamp", java.time.Instant.now().toString()))
                .statusCode(202);
        assertEquals(1, Requests.awaitVersion("f-stamped", 1, 5000));
    }

    @Test
    void badFeedbackIs400AndNamesTheField() {
        problem(feedback(Map.of("reward", 1.0)), 400, "eventId");
        problem(feedback(Map.of("eventId", "", "reward", 1.0)), 400, "eventId");
        problem(feedback(Map.of("eventId", "e")), 400, "reward");
        problem(feedback(Map.of("eventId", "e", "reward", "high")), 400, "reward");
        problem(given().contentType(ContentType.JSON).body("{\"eventId\":\"e\",\"reward\":NaN}").post("/feedback")
                .then(), 400, "reward");
        problem(given().contentType(ContentType.JSON).body("{\"eventId\":\"e\",\"reward\":Infinity}").post("/feedback")
                .then(), 400, "reward");
        problem(feedback(Map.of("eventId", "e", "reward", 1.0, "rewrd", 2)), 400, "rewrd");
        problem(feedback(Map.of("eventId", "e", "reward", 1.0, "timestamp", "yesterday")), 400, "timestamp");
        problem(feedback(Map.of("eventId", "e", "reward", 1.0, "timestamp", "+300000000-01-01T00:00:00Z")), 400,
                "timestamp");
        problem(feedback(Map.of("eventId", "e", "reward", 1.0, "timestamp", -1)), 400, "timestamp");
        problem(feedback(Map.of("eventId", "e", "reward", 1e300)), 400, "reward");
        problem(feedback(List.of(Map.of("eventId", "e", "reward", 1.0), Map.of("eventId", "f"))), 400, "[1].reward");
        problem(feedback(List.of()), 400, "body");
        problem(feedback(List.of(1, 2)), 400, "[0]");
        problem(given().contentType(ContentType.JSON).body("\"reward\"").post("/feedback").then(), 400, "body");
        problem(given().contentType(ContentType.JSON).body("{\"eventId\":").post("/feedback").then(), 400, null);
    }
}
