package io.policyrec.feedback.kafka;

import static io.policyrec.testing.Metrics.value;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.policyrec.testing.KafkaProfile;
import io.policyrec.testing.KafkaResource;
import io.policyrec.testing.KafkaTestClient;
import io.policyrec.testing.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker stopped in the middle: /recommend keeps answering, readiness says degraded, and once
 * the broker is back every decision made meanwhile is in the log (the buffer was far from full, so
 * none was dropped), and learning goes on.
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class KafkaOutageTest {
    static final String LOGGED = "policyrec_decisions_logged_total";
    static final String DROPPED = "policyrec_decisions_dropped_total";

    @Test
    void servingSurvivesTheBrokerAndTheCountsAddUp() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("contextDimension", 3, "actions", 3, "batchSize", 1,
                "seed", 1)).put("/policies/k-outage").then().statusCode(isOneOf(200, 201));
        float[] x = {1, 2, 3};
        double warm = value(LOGGED);
        given().contentType(ContentType.JSON).body(Map.of("policy", "k-outage", "context", x)).post("/recommend")
                .then().statusCode(200);
        Metrics.awaitAtLeast(LOGGED, warm + 1, 20_000);
        long inLogBefore = countInLog("k-outage");
        double logged = value(LOGGED);
        double dropped = value(DROPPED);

        KafkaResource.broker().stop();
        int made = 300;
        for (int i = 0; i < made; i++) {
            given().contentType(ContentType.JSON).body(Map.of("policy", "k-outage", "context", x))
                    .post("/recommend").then().statusCode(200);
        }
        long deadline = System.currentTimeMillis() + 20_000;
        String state = "";
        while (!state.equals("degraded") && System.currentTimeMillis() < deadline) {
            state = given().get("/q/health/ready").then().statusCode(200).extract().path("checks[0].data.state");
            Metrics.sleep(200);
        }
        assertEquals("degraded", state, "readiness reports the degraded state while the broker is away");
        given().get("/q/health/live").then().statusCode(200);

        KafkaResource.broker().start();
        deadline = System.currentTimeMillis() + 90_000;
        while (value(LOGGED) - logged + value(DROPPED) - dropped < made && System.currentTimeMillis() < deadline) {
            Metrics.sleep(200);
        }
        double loggedNow = value(LOGGED) - logged;
        double droppedNow = value(DROPPED) - dropped;
        assertEquals(made, loggedNow + droppedNow, 0.0, "every decision is logged or counted as dropped");
        assertEquals(0.0, droppedNow, "none dropped: a write Kafka could not take is tried again");
        assertEquals((long) loggedNow, countInLog("k-outage") - inLogBefore, "the log holds the logged ones");

        String id = given().contentType(ContentType.JSON).body(Map.of("policy", "k-outage", "context", x))
                .post("/recommend").then().statusCode(200).extract().path("eventId");
        long before = version();
        KafkaTestClient.send("policyrec.feedback", id, "{\"reward\": 1.0}");
        deadline = System.currentTimeMillis() + 60_000;
        while (version() <= before && System.currentTimeMillis() < deadline) {
            Metrics.sleep(100);
        }
        assertEquals(true, version() > before, "learning resumes after the broker is back");
    }

    static long version() {
        return given().get("/policies/k-outage").then().statusCode(200).extract().<Number>path("version").longValue();
    }

    static long countInLog(String policy) {
        return KafkaTestClient.readAll("policyrec.decisions").stream()
                .filter(r -> DecisionCodec.decode(r.value()).policy().equals(policy)).count();
    }
}
