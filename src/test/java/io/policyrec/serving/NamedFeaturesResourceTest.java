package io.policyrec.serving;

import static io.policyrec.serving.Requests.problem;
import static io.policyrec.serving.Requests.put;
import static io.policyrec.serving.Requests.recommend;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policies over named features through the REST API: create, decide, learn, and every bad input as a 400. */
@QuarkusTest
class NamedFeaturesResourceTest {
    static final Map<String, Object> USER = Map.of("country", "DE", "device", "mobile", "segments",
            List.of("sports", "tech"), "hour", 14, "user", Map.of("age", 34));

    @BeforeEach
    void policies() {
        put("nf", Map.of("input", Map.of("type", "features", "bits", 10), "actions", List.of("news", "sports", "music"),
                "batchSize", 4, "seed", 3)).statusCode(isOneOf(200, 201));
        put("nf-dense", Map.of("contextDimension", 3, "actions", 3, "seed", 4)).statusCode(isOneOf(200, 201));
    }

    @Test
    void aPolicyOverNamedFeaturesIsCreatedWithItsBucketsAndNoDimension() {
        given().get("/policies/nf").then().statusCode(200)
                .body("config.input.type", equalTo("features"))
                .body("config.input.bits", equalTo(10))
                .body("config.contextDimension", nullValue());
    }

    @Test
    void decidesFromAnObjectOrAnArrayOfObjects() {
        recommend(Map.of("policy", "nf", "features", USER, "explain", true)).statusCode(200)
                .body("action", isOneOf("news", "sports", "music"))
                .body("probabilities", hasSize(3));
        recommend(Map.of("policy", "nf", "features", List.of(Map.of("country", "FR"), Map.of("hour", 9)),
                "eligibleActions", List.of("news", "music"), "k", 2)).statusCode(200)
                .body("ranking", hasSize(2))
                .body("action", isOneOf("news", "music"));
        recommend(Map.of("policy", "nf", "features", Map.of())).statusCode(200);
    }

    @Test
    void batchAndProbabilitiesTakeOneFeatureObjectPerContext() {
        given().contentType(ContentType.JSON).body(Map.of("policy", "nf", "features", List.of(USER, Map.of("country",
                "US")))).post("/recommend/batch").then().statusCode(200).body("$", hasSize(2));
        List<List<Float>> q = given().contentType(ContentType.JSON).body(Map.of("policy", "nf", "features",
                List.of(USER, USER))).post("/recommend/probabilities").then().statusCode(200)
                .extract().path("probabilities");
        assertEquals(q.get(0), q.get(1), "the same features give the same distribution");
    }

    @Test
    void learnsFromRewardsLikeADensePolicy() {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(recommend(Map.of("policy", "nf", "features", Map.of("i", i, "country", "DE"))).statusCode(200)
                    .extract().path("eventId"));
        }
        long before = Requests.version("nf");
        for (String id : events) {
            Requests.feedback(Map.of("eventId", id, "reward", 1.0)).statusCode(isOneOf(200, 202, 204));
        }
        long after = Requests.awaitVersion("nf", before + 1, 30_000);
        assertTrue(after >= before + 1, "a batch of 4 rewarded decisions made an update (version " + after + ")");
    }

    @Test
    void everyMistakeIsA400NamingTheField() {
        problem(recommend(Map.of("policy", "nf", "context", new float[] {1, 2, 3})), 400, "context");
        problem(recommend(Map.of("policy", "nf")), 400, "features");
        problem(recommend(Map.of("policy", "nf", "features", Map.of("x", List.of(List.of(1))))), 400, "features.x[0]");
        problem(recommend(Map.of("policy", "nf", "features", "DE")), 400, "features");
        problem(recommend(Map.of("policy", "nf-dense", "features", USER)), 400, "features");
        problem(given().contentType(ContentType.JSON).body(Map.of("policy", "nf", "features", List.of(USER, 7)))
                .post("/recommend/batch").then(), 400, "features[1]");
        problem(given().contentType(ContentType.JSON).body(Map.of("policy", "nf", "contexts",
                List.of(new float[] {1, 2, 3}))).post("/recommend/batch").then(), 400, "contexts");
        problem(put("nf-bad", Map.of("input", Map.of("type", "features", "bits", 30), "actions", 3)), 400,
                "input.bits");
        problem(put("nf-bad", Map.of("input", Map.of("type", "features"), "contextDimension", 4, "actions", 3)),
                400, "contextDimension");
        problem(put("nf-bad", Map.of("input", Map.of("type", "sparse"), "actions", 3)), 400, "input.type");
        problem(put("nf-bad", Map.of("input", Map.of("type", "features", "bits", 10), "actions", 3,
                "hiddenLayers", List.of())), 400, "hiddenLayers");
    }
}
