package io.policyrec.feedback.kafka;

import static io.policyrec.testing.Metrics.awaitAtLeast;
import static io.policyrec.testing.Metrics.value;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.testing.KafkaProfile;
import io.policyrec.testing.KafkaTestClient;
import io.policyrec.testing.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Feedback through a real Kafka broker: rewards sent to policyrec.feedback join the decisions the
 * service logged, with the same semantics as the HTTP path, and bad records go to the DLQ.
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class KafkaFeedbackTest {
    static final float[] X = {0.5f, -0.5f, 1f};
    static final String FEEDBACK = "policyrec.feedback";
    static final String REJECTED = "policyrec_feedback_rejected_total{reason=\"%s\"}";

    static void policy(String name, String aggregation, String window) {
        given().contentType(ContentType.JSON).body(Map.of("contextDimension", 3, "actions", 3, "batchSize", 1,
                "rewardAggregation", aggregation, "rewardWindow", window, "seed", 5))
                .put("/policies/" + name).then().statusCode(isOneOf(200, 201));
    }

    static String decide(String policy) {
        return given().contentType(ContentType.JSON).body(Map.of("policy", policy, "context", X)).post("/recommend")
                .then().statusCode(200).extract().path("eventId");
    }

    static long version(String policy) {
        return given().get("/policies/" + policy).then().statusCode(200).extract().<Number>path("version").longValue();
    }

    static long awaitVersion(String policy, long atLeast) {
        long deadline = System.currentTimeMillis() + 20_000;
        long v = version(policy);
        while (v < atLeast && System.currentTimeMillis() < deadline) {
            Metrics.sleep(50);
            v = version(policy);
        }
        return v;
    }

    static void reward(String eventId, double reward) {
        KafkaTestClient.send(FEEDBACK, eventId, "{\"eventId\":\"" + eventId + "\",\"reward\":" + reward + "}");
    }

    @Test
    void theServiceRunsInKafkaMode() {
        given().get("/q/health/ready").then().statusCode(200).body("checks[0].data.mode", equalTo("kafka"));
        String id = decide(createdDefaultLike());
        assertTrue(PolicyPartitions.ofEventId(id) >= 0, "event ids name their decision-log partition: " + id);
    }

    static String createdDefaultLike() {
        policy("k-mode", "earliest", "PT30S");
        return "k-mode";
    }

    @Test
    void aPolicyOverNamedFeaturesLearnsThroughTheDecisionLog() {
        given().contentType(ContentType.JSON).body(Map.of("input", Map.of("type", "features", "bits", 12), "actions", 3,
                "batchSize", 2, "seed", 5)).put("/policies/k-named").then().statusCode(isOneOf(200, 201));
        List<String> ids = new java.util.ArrayList<>();
        for (Map<String, Object> features : List.of(Map.<String, Object>of("country", "DE", "age", 34),
                Map.<String, Object>of("segments", List.of("sports", "tech"), "price", 12999))) {
            ids.add(given().contentType(ContentType.JSON).body(Map.of("policy", "k-named", "features", features))
                    .post("/recommend").then().statusCode(200).extract().path("eventId"));
        }
        ids.forEach(id -> reward(id, 1.0));
        // The decisions went through the Kafka decision log as sparse records and were joined there.
        assertEquals(1, awaitVersion("k-named", 1));
    }

    @Test
    void earliestAppliesTheFirstRewardAndCountsDuplicates() {
        policy("k-earliest", "earliest", "PT30S");
        String id = decide("k-earliest");
        double duplicates = value(REJECTED.formatted("duplicate"));
        reward(id, 1.0);
        assertEquals(1, awaitVersion("k-earliest", 1));
        reward(id, 0.0);
        awaitAtLeast(REJECTED.formatted("duplicate"), duplicates + 1, 20_000);
        // Counted as a duplicate means the join has classified it: it can no longer be applied.
        assertEquals(1, version("k-earliest"));
    }

    @Test
    void sumAndMaxApplyOnceAtWindowClose() {
        for (String aggregation : List.of("sum", "max")) {
            String name = "k-" + aggregation;
            policy(name, aggregation, "PT1S");
            long decided = System.currentTimeMillis();
            String id = decide(name);
            reward(id, 1.0);
            reward(id, 2.0);
            assertEquals(1, awaitVersion(name, 1));
            assertTrue(System.currentTimeMillis() - decided >= 1000, "nothing before the window closes");
            // A second decision, left without a reward, is applied at its own window close: if the first
            // had been applied twice, the second update would come before that.
            long second = System.currentTimeMillis();
            decide(name);
            assertEquals(2, awaitVersion(name, 2), "the next update is the second decision's");
            assertTrue(System.currentTimeMillis() - second >= 1000, "once: the first was not applied again");
        }
    }

    @Test
    void defaultRewardAtWindowCloseAndLateAndUnknownAreCounted() {
        policy("k-default", "earliest", "PT0.5S");
        double late = value(REJECTED.formatted("late"));
        double unknown = value(REJECTED.formatted("unknown"));
        String id = decide("k-default");
        assertEquals(1, awaitVersion("k-default", 1), "the default reward is applied at window close");
        reward(id, 1.0);
        reward("nobody-knows-this." + PolicyPartitions.of("k-default", 2), 1.0);
        reward("no-partition-suffix", 1.0);
        awaitAtLeast(REJECTED.formatted("late"), late + 1, 20_000);
        awaitAtLeast(REJECTED.formatted("unknown"), unknown + 2, 20_000);
        assertEquals(1, version("k-default"));
    }

    @Test
    void aClickStreamThatOnlyKnowsEventIdsWorks() {
        policy("k-click", "earliest", "PT30S");
        String id = decide("k-click");
        KafkaTestClient.send(FEEDBACK, id.getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertEquals(1, awaitVersion("k-click", 1));
    }

    @Test
    void httpFeedbackTakesTheSamePath() {
        policy("k-http", "earliest", "PT30S");
        String id = decide("k-http");
        given().contentType(ContentType.JSON).body(Map.of("eventId", id, "reward", 1.0)).post("/feedback")
                .then().statusCode(202);
        assertEquals(1, awaitVersion("k-http", 1));
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheStreamGoesOn() {
        policy("k-dlq", "earliest", "PT30S");
        KafkaTestClient.send(FEEDBACK, "k1", "{not json");
        KafkaTestClient.send(FEEDBACK, null, "{\"reward\": 1.0}");
        KafkaTestClient.send(FEEDBACK, "k3", "{\"eventId\": \"e3\", \"reward\": NaN}");
        KafkaTestClient.send(FEEDBACK, "k4", "{\"eventId\": \"e4\", \"reward\": \"high\"}");
        KafkaTestClient.send(FEEDBACK, "k5", "{\"eventId\": \"e5\", \"rewrad\": 1.0}");
        KafkaTestClient.send(FEEDBACK, "k6", "[1, 2]");
        KafkaTestClient.send(FEEDBACK, "k7", "{\"eventId\": \"e7\", \"timestamp\": \"yesterday\"}");
        // Parseable, but beyond epoch milliseconds or before 1970: these once stopped the router for good.
        KafkaTestClient.send(FEEDBACK, "k8", "{\"eventId\": \"e8\", \"timestamp\": \"+300000000-01-01T00:00:00Z\"}");
        KafkaTestClient.send(FEEDBACK, "k9", "{\"eventId\": \"e9\", \"timestamp\": -1}");
        KafkaTestClient.send(FEEDBACK, "k10", "{\"eventId\": \"e10\", \"reward\": 1e300}");
        String id = decide("k-dlq");
        reward(id, 1.0);
        assertEquals(1, awaitVersion("k-dlq", 1), "good records after bad ones are still learned from");
        awaitAtLeast("policyrec_feedback_dlq_total{reason=\"malformed-json\"}", 2, 20_000);
        List<String> reasons = KafkaTestClient.readAll("policyrec.feedback.dlq").stream()
                .map(KafkaFeedbackTest::reason).toList();
        for (String expected : List.of("malformed-json", "missing-event-id", "non-finite-reward", "invalid-reward",
                "unknown-field", "invalid-timestamp")) {
            assertTrue(reasons.contains(expected), "DLQ reasons " + reasons + " lack " + expected);
        }
        assertEquals(2, reasons.stream().filter("malformed-json"::equals).count(), reasons.toString());
        assertEquals(3, reasons.stream().filter("invalid-timestamp"::equals).count(), reasons.toString());
        assertEquals(2, reasons.stream().filter("invalid-reward"::equals).count(), reasons.toString());
    }

    static String reason(ConsumerRecord<byte[], byte[]> r) {
        var h = r.headers().lastHeader(FeedbackRouter.REASON_HEADER);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
