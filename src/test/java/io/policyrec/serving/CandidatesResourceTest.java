package io.policyrec.serving;

import static io.policyrec.serving.Requests.problem;
import static io.policyrec.serving.Requests.put;
import static io.policyrec.serving.Requests.recommend;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Policies over action features through the REST API: each request brings its candidates; a
 * decision, its ranking and explanation name them by id; excluded candidates are never drawn; the
 * policy learns from rewards; a candidate never seen is served from its features; and every bad
 * candidate list is a 400 naming the field.
 */
@QuarkusTest
class CandidatesResourceTest {
    static final Map<String, Object> USER = Map.of("country", "DE", "segments", List.of("sports", "tech"));

    static Map<String, Object> item(String id, String category, double price) {
        return Map.of("id", id, "features", Map.of("category", category, "price", price));
    }

    static List<Map<String, Object>> items(int n) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(item("item-" + i, "c" + (i % 7), 10 + i));
        }
        return items;
    }

    @BeforeEach
    void policies() {
        put("cand", Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type", "features",
                "bits", 8), "batchSize", 4, "seed", 3)).statusCode(isOneOf(200, 201));
        put("cand-fixed", Map.of("input", Map.of("type", "features", "bits", 8), "actions", List.of("a", "b"),
                "seed", 4)).statusCode(isOneOf(200, 201));
    }

    @Test
    void aPolicyOverActionFeaturesShowsItsConfig() {
        given().get("/policies/cand").then().statusCode(200)
                .body("config.actions.type", equalTo("features"))
                .body("config.actions.bits", equalTo(8))
                .body("config.hiddenLayers", equalTo(List.of(32)));
    }

    @Test
    void decidesAmongTheRequestsCandidatesByTheirIds() {
        recommend(Map.of("policy", "cand", "features", USER, "candidates", items(5), "explain", true))
                .statusCode(200)
                .body("action", isOneOf("item-0", "item-1", "item-2", "item-3", "item-4"))
                .body("probabilities", hasSize(5));
        recommend(Map.of("policy", "cand", "features", USER, "candidates", items(5), "k", 3)).statusCode(200)
                .body("ranking", hasSize(3));
    }

    @Test
    void excludedCandidatesAreNeverDrawnAndEligibleOnesAreTheOnlyOnes() {
        for (int i = 0; i < 40; i++) {
            String excluded = recommend(Map.of("policy", "cand", "features", USER, "candidates", items(3),
                    "excludedActions", List.of("item-0", "not-offered"))).statusCode(200).extract().path("action");
            assertFalse(excluded.equals("item-0"), "an excluded candidate was drawn");
            String eligible = recommend(Map.of("policy", "cand", "features", USER, "candidates", items(3),
                    "eligibleActions", List.of("item-2"))).statusCode(200).extract().path("action");
            assertEquals("item-2", eligible);
        }
    }

    @Test
    void aThousandCandidatesAreServed() {
        List<Map<String, Object>> probabilities = recommend(Map.of("policy", "cand", "features", USER,
                "candidates", items(1000), "explain", true)).statusCode(200).extract().path("probabilities");
        assertEquals(1000, probabilities.size());
    }

    @Test
    void learnsFromRewardsAndServesANewCandidateFromItsFeatures() {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(recommend(Map.of("policy", "cand", "features", Map.of("i", i, "country", "DE"),
                    "candidates", items(4))).statusCode(200).extract().path("eventId"));
        }
        long before = Requests.version("cand");
        for (String id : events) {
            Requests.feedback(Map.of("eventId", id, "reward", 1.0)).statusCode(isOneOf(200, 202, 204));
        }
        long after = Requests.awaitVersion("cand", before + 1, 30_000);
        assertTrue(after >= before + 1, "a batch of 4 rewarded decisions made an update (version " + after + ")");
        List<Map<String, Object>> offered = new ArrayList<>(items(4));
        offered.add(item("brand-new", "c-new", 99));
        List<Map<String, Object>> q = recommend(Map.of("policy", "cand", "features", USER, "candidates", offered,
                "explain", true)).statusCode(200).extract().path("probabilities");
        Map<String, Float> byId = new HashMap<>();
        q.forEach(p -> byId.put((String) p.get("action"), ((Number) p.get("probability")).floatValue()));
        assertTrue(byId.get("brand-new") > 0.01, "a candidate never seen has its share: " + byId);
    }

    @Test
    void everyBadCandidateListIsA400NamingTheField() {
        problem(recommend(Map.of("policy", "cand", "features", USER)), 400, "candidates");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", List.of())), 400, "candidates");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", List.of(item("x", "a", 1),
                item("x", "b", 2)))), 400, "candidates[1].id");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", List.of(Map.of("id", "x")))),
                400, "candidates[0].features");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", List.of(Map.of("features",
                Map.of("a", 1))))), 400, "candidates[0].id");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", List.of("x"))), 400,
                "candidates[0]");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", items(1001))), 400, "candidates");
        List<Map<String, Object>> wide = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Map<String, Object> features = new HashMap<>();
            for (int f = 0; f < 101; f++) {
                features.put("f" + f, f);
            }
            wide.add(Map.of("id", "w" + i, "features", features));
        }
        // 101 features in 2^16 buckets hash to about 101 rows each: over 100,000 in all.
        put("cand-wide", Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type", "features",
                "bits", 16), "seed", 5)).statusCode(isOneOf(200, 201));
        problem(recommend(Map.of("policy", "cand-wide", "features", USER, "candidates", wide)), 400, "candidates");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", List.of(Map.of("id", "x",
                "features", Map.of("price", List.of(List.of(1))))))), 400, "candidates[0].features.price[0]");
        problem(recommend(Map.of("policy", "cand", "context", new float[] {1}, "candidates", items(2))), 400,
                "context");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", items(2), "eligibleActions",
                List.of("nope"))), 400, "eligibleActions[0]");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", items(2), "excludedActions",
                List.of("item-0", "item-1"))), 400, "excludedActions");
        problem(recommend(Map.of("policy", "cand", "features", USER, "candidates", items(2), "k", 3)), 400, "k");
        problem(recommend(Map.of("policy", "cand-fixed", "features", USER, "candidates", items(2))), 400,
                "candidates");
        problem(given().contentType(ContentType.JSON).body(Map.of("policy", "cand", "features", List.of(USER)))
                .post("/recommend/batch").then(), 400, "policy");
        problem(put("cand-bad", Map.of("input", Map.of("type", "features"), "actions", Map.of("type", "ids"))), 400,
                "actions.type");
        problem(put("cand-bad", Map.of("contextDimension", 3, "actions", Map.of("type", "features"))), 400, "input");
        problem(put("cand-bad", Map.of("input", Map.of("type", "features"), "actions", Map.of("type", "features",
                "bits", 40))), 400, "actions.bits");
        problem(put("cand-bad", Map.of("input", Map.of("type", "features"), "actions", Map.of("type", "features"),
                "hiddenLayers", List.of(32, 32))), 400, "hiddenLayers");
    }
}
