package io.policyrec.serving;

import static io.policyrec.serving.Requests.context;
import static io.policyrec.serving.Requests.problem;
import static io.policyrec.serving.Requests.put;
import static io.policyrec.serving.Requests.recommend;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RecommendResourceTest {

    @BeforeEach
    void policies() {
        put("r-ids", Map.of("contextDimension", 3, "actions", List.of("news", "sports", "music", "film"),
                "minProbability", 0.05, "seed", 1)).statusCode(isOneOf(200, 201));
        put("r-ints", Map.of("contextDimension", 3, "actions", 5, "seed", 2)).statusCode(isOneOf(200, 201));
    }

    @Test
    void theDefaultPolicyAnswersWithoutAnyAdminCall() {
        recommend(Map.of("context", context(784, 1))).statusCode(200).contentType(ContentType.JSON)
                .body("eventId", matchesPattern("[0-9a-f-]{36}"))
                .body("policy", equalTo("default"))
                .body("policyVersion", org.hamcrest.Matchers.greaterThanOrEqualTo(0))
                .body("action", isOneOf(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))
                .body("probability", org.hamcrest.Matchers.allOf(org.hamcrest.Matchers.greaterThan(0f),
                        org.hamcrest.Matchers.lessThanOrEqualTo(1f)))
                .body("ranking", org.hamcrest.Matchers.nullValue())
                .body("probabilities", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void explainGivesTheWholeDistributionAndTheDrawnProbabilityIsInIt() {
        Map<String, Object> r = given().contentType(ContentType.JSON)
                .body(Map.of("policy", "r-ids", "context", new float[] {1, 2, 3}, "explain", true))
                .post("/recommend").then().statusCode(200).body("probabilities", hasSize(4))
                .extract().as(Map.class);
        List<Map<String, Object>> all = (List<Map<String, Object>>) r.get("probabilities");
        double sum = 0;
        Map<String, Double> byAction = new HashMap<>();
        for (Map<String, Object> p : all) {
            double v = ((Number) p.get("probability")).doubleValue();
            assertTrue(v >= 0.05 - 1e-12, "minProbability floor");
            byAction.put((String) p.get("action"), v);
            sum += v;
        }
        assertEquals(1.0, sum, 1e-9);
        assertEquals(byAction.get((String) r.get("action")), ((Number) r.get("probability")).doubleValue(), 1e-12);
    }

    @Test
    void rankingHasKDistinctActionsInDrawOrder() {
        List<Map<String, Object>> ranking = recommend(Map.of("policy", "r-ints", "context", new float[] {1, 0, 1},
                "k", 4)).statusCode(200).body("ranking", hasSize(4)).extract().path("ranking");
        assertEquals(4, new HashSet<>(ranking.stream().map(m -> m.get("action")).toList()).size());
        Map<String, Object> first = ranking.get(0);
        recommend(Map.of("policy", "r-ints", "context", new float[] {1, 0, 1}, "k", 5)).statusCode(200)
                .body("ranking", hasSize(5));
        assertTrue(((Number) first.get("probability")).doubleValue() > 0);
    }

    @Test
    void eligibleActionsRestrictTheDraw() {
        for (int i = 0; i < 30; i++) {
            recommend(Map.of("policy", "r-ids", "context", new float[] {1, 2, 3},
                    "eligibleActions", List.of("sports", "film"), "explain", true)).statusCode(200)
                    .body("action", isOneOf("sports", "film"))
                    .body("probabilities.find { it.action == 'news' }.probability", equalTo(0.0f));
            recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "eligibleActions", List.of(3)))
                    .statusCode(200).body("action", equalTo(3)).body("probability", equalTo(1.0f));
        }
    }

    @Test
    void batchAnswersOneDecisionPerContext() {
        given().contentType(ContentType.JSON)
                .body(Map.of("policy", "r-ints", "contexts", List.of(new float[] {1, 2, 3}, new float[] {3, 2, 1},
                        new float[] {0, 0, 0}), "k", 2))
                .post("/recommend/batch").then().statusCode(200)
                .body("$", hasSize(3)).body("[0].ranking", hasSize(2)).body("[2].policy", equalTo("r-ints"));
    }

    @Test
    void probabilitiesScoreWithoutDeciding() {
        List<List<Float>> p = given().contentType(ContentType.JSON)
                .body(Map.of("policy", "r-ints", "contexts", List.of(new float[] {1, 2, 3}, new float[] {0, 0, 1})))
                .post("/recommend/probabilities").then().statusCode(200).body("policy", equalTo("r-ints"))
                .body("probabilities", hasSize(2)).extract().path("probabilities");
        assertEquals(5, p.get(0).size());
        assertEquals(1.0, p.get(1).stream().mapToDouble(Float::doubleValue).sum(), 1e-5);
        problem(given().contentType(ContentType.JSON).body(Map.of("policy", "r-ints", "contexts", List.of(
                new float[] {1, 2}))).post("/recommend/probabilities").then(), 400, "contexts[0]");
    }

    @Test
    void errorsNameTheFieldAndNeverAre500() {
        problem(recommend(Map.of("policy", "nope", "context", new float[] {1})), 404, null);
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2})), 400, "context");
        problem(recommend(Map.of("policy", "r-ints")), 400, "context");
        problem(given().contentType(ContentType.JSON).body("{\"policy\":\"r-ints\",\"context\":[1,NaN,2]}")
                .post("/recommend").then(), 400, "context[1]");
        problem(given().contentType(ContentType.JSON).body("{\"policy\":\"r-ints\",\"context\":[1,2,Infinity]}")
                .post("/recommend").then(), 400, "context[2]");
        problem(given().contentType(ContentType.JSON).body("{\"policy\":\"r-ints\",\"context\":[1,2,1e39]}")
                .post("/recommend").then(), 400, "context[2]");
        problem(given().contentType(ContentType.JSON).body("{\"policy\":\"r-ints\",\"context\":[1,2,\"x\"]}")
                .post("/recommend").then(), 400, null);
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "eligibleActions", List.of())),
                400, "eligibleActions");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "eligibleActions",
                List.of(1, 7))), 400, "eligibleActions[1]");
        problem(recommend(Map.of("policy", "r-ids", "context", new float[] {1, 2, 3}, "eligibleActions",
                List.of("news", 1))), 400, "eligibleActions[1]");
        problem(recommend(Map.of("policy", "r-ids", "context", new float[] {1, 2, 3}, "eligibleActions",
                List.of("weather"))), 400, "eligibleActions[0]");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "k", 0)), 400, "k");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "k", 6)), 400, "k");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "k", 3,
                "eligibleActions", List.of(0, 1))), 400, "k");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "k", 1.5)), 400, "k");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "explain", "yes")), 400,
                "explain");
        problem(recommend(Map.of("policy", "r-ints", "context", new float[] {1, 2, 3}, "contexts", List.of())), 400,
                "contexts");
        problem(given().contentType(ContentType.JSON).body("{\"context\": [1,2").post("/recommend").then(), 400, null);
        problem(given().contentType(ContentType.JSON).body("[]").post("/recommend").then(), 400, null);
        problem(given().contentType(ContentType.JSON).body("").post("/recommend").then(), 400, null);
        problem(given().contentType(ContentType.TEXT).body("hello").post("/recommend").then(), 415, null);
        problem(given().contentType(ContentType.JSON)
                .body(Map.of("policy", "r-ints", "contexts", List.of(new float[] {1, 2, 3}, new float[] {1, 2})))
                .post("/recommend/batch").then(), 400, "contexts[1]");
        problem(given().contentType(ContentType.JSON).body(Map.of("policy", "r-ints", "contexts", List.of()))
                .post("/recommend/batch").then(), 400, "contexts");
    }

    @Test
    void bodiesOverTheLimitAre413() {
        StringBuilder big = new StringBuilder("{\"context\":[");
        while (big.length() < 17 * 1024 * 1024) {
            big.append("0.123456789,");
        }
        big.append("0]}");
        problem(given().contentType(ContentType.JSON).body(big.toString()).post("/recommend").then(), 413, null);
    }

    @Test
    void deeplyNestedJsonIsRejected() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        problem(given().contentType(ContentType.JSON).body("{\"context\":" + deep + "}").post("/recommend").then(),
                400, null);
    }
}
