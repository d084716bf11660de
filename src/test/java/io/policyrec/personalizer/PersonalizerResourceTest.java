package io.policyrec.personalizer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.testing.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Azure Personalizer's v1.0 calls as its clients make them (the npm client drives the packaged
 * service in .ci/run; this is the same contract in process): Rank answers 201 with every action,
 * the drawn one first; Reward and Activate 204; errors carry Personalizer's error object as
 * application/json; deferred events are learned from only once activated.
 */
@QuarkusTest
class PersonalizerResourceTest {
    static final String LOOP = "/loops/pz/personalizer/v1.0";

    static Map<String, Object> action(String id, String category) {
        return Map.of("id", id, "features", List.of(Map.of("category", category), Map.of("price", id.length())));
    }

    static final List<Map<String, Object>> ACTIONS = List.of(action("news", "text"), action("sports", "text"),
            action("video", "media"), action("podcast", "media"));

    static ValidatableResponse post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(LOOP + path).then();
    }

    static ValidatableResponse personalizerError(ValidatableResponse response, int status, String code,
                                                 String target) {
        response.statusCode(status).contentType("application/json").body("error.code", equalTo(code));
        if (target != null) {
            response.body("error.target", equalTo(target)).body("errors[0].field", equalTo(target));
        }
        return response;
    }

    @BeforeEach
    void loop() {
        given().contentType(ContentType.JSON).body(Map.of("input", Map.of("type", "features", "bits", 8), "actions",
                Map.of("type", "features", "bits", 8), "batchSize", 2, "rewardWindow", "PT1S", "defaultReward", 0.0,
                "seed", 7)).put("/policies/pz").then().statusCode(isOneOf(200, 201));
    }

    @Test
    void rankAnswers201WithEveryActionTheDrawnOneFirstAndExcludedOnesLastAtZero() {
        ValidatableResponse r = post("/rank", Map.of("contextFeatures", List.of(Map.of("country", "DE"),
                Map.of("device", "mobile")), "actions", ACTIONS, "excludedActions", List.of("video"),
                "eventId", "e-ranked")).statusCode(201).body("eventId", equalTo("e-ranked"))
                .body("ranking", hasSize(4));
        List<String> ids = r.extract().path("ranking.id");
        List<Float> p = r.extract().path("ranking.probability");
        assertEquals(ids.get(0), r.extract().path("rewardActionId"));
        assertEquals("video", ids.get(3));
        assertEquals(0f, p.get(3));
        assertNotEquals("video", ids.get(0));
        assertEquals(1.0, p.stream().mapToDouble(Float::doubleValue).sum(), 1e-5);
        assertTrue(p.get(1) >= p.get(2), "after the drawn one, by probability: " + p);
        String generated = post("/rank", Map.of("actions", ACTIONS)).statusCode(201).extract().path("eventId");
        assertTrue(generated != null && !generated.isEmpty());
    }

    @Test
    void everyMistakeIsA4xxWithPersonalizersErrorObjectNamingTheField() {
        post("/rank", Map.of("actions", ACTIONS, "eventId", "e-dup")).statusCode(201);
        personalizerError(post("/rank", Map.of("actions", ACTIONS, "eventId", "e-dup")), 400, "BadRequest",
                "eventId");
        personalizerError(post("/rank", Map.of("contextFeatures", List.of(Map.of("a", 1)))), 400, "BadRequest",
                "actions");
        personalizerError(post("/rank", Map.of("actions", List.of(Map.of("id", "x")), "eventId", "e-bad")), 400,
                "BadRequest", "actions[0].features");
        // A failed Rank does not use up its event id.
        post("/rank", Map.of("actions", ACTIONS, "eventId", "e-bad")).statusCode(201);
        personalizerError(post("/rank", Map.of("actions", ACTIONS, "contextFeatures", List.of(List.of(1)))), 400,
                "BadRequest", "contextFeatures[0]");
        personalizerError(post("/rank", Map.of("actions", List.of(action("a", "x"), action("a", "y")))), 400,
                "BadRequest", "actions[1].id");
        personalizerError(post("/rank", Map.of("actions", ACTIONS, "excludedActions", List.of("news", "sports",
                "video", "podcast"))), 400, "BadRequest", "excludedActions");
        personalizerError(post("/rank", Map.of("actions", ACTIONS, "eventId", "x".repeat(257))), 400, "BadRequest",
                "eventId");
        personalizerError(post("/rank", Map.of("actions", ACTIONS, "surprise", 1)), 400, "BadRequest", "surprise");
        personalizerError(post("/events/e-ranked/reward", Map.of()), 400, "BadRequest", "value");
        personalizerError(post("/events/e-ranked/reward", Map.of("value", "high")), 400, "BadRequest", "value");
        personalizerError(given().contentType(ContentType.JSON).body(Map.of("actions", ACTIONS))
                .post("/loops/no-such-loop/personalizer/v1.0/rank").then(), 404, "ResourceNotFound", null);
        // A caller that names problem+json gets it.
        given().contentType(ContentType.JSON).accept("application/json, application/problem+json").body(Map.of()).post(LOOP
                + "/events/e/reward").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("value")).body("error.code", equalTo("BadRequest"));
    }

    @Test
    void rewardAndActivateAnswer204AndTheConfigurationReadsTheLoopsPolicy() {
        post("/events/anything/reward", Map.of("value", 1.0)).statusCode(204);
        given().contentType(ContentType.JSON).post(LOOP + "/events/anything/activate").then().statusCode(204);
        given().get(LOOP + "/configurations/service").then().statusCode(200)
                .body("rewardWaitTime", equalTo("PT1S")).body("rewardAggregation", equalTo("earliest"))
                .body("policy", equalTo("pz"));
    }

    @Test
    void aDeferredEventIsLearnedFromOnlyOnceActivated() {
        double neverBefore = Metrics.value("policyrec_decisions_never_activated_total");
        double activatedBefore = Metrics.value("policyrec_activations_total{outcome=\"activated\"}");
        long version = given().get("/policies/pz").then().extract().<Number>path("version").longValue();
        List<String> activated = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            post("/rank", Map.of("actions", ACTIONS, "eventId", "never-" + i, "deferActivation", true))
                    .statusCode(201);
            post("/events/never-" + i + "/reward", Map.of("value", 1.0)).statusCode(204);
            activated.add(post("/rank", Map.of("actions", ACTIONS, "deferActivation", true)).statusCode(201)
                    .extract().path("eventId"));
        }
        for (String id : activated) {
            given().contentType(ContentType.JSON).post(LOOP + "/events/" + id + "/activate").then().statusCode(204);
            post("/events/" + id + "/reward", Map.of("value", 1.0)).statusCode(204);
        }
        Metrics.awaitAtLeast("policyrec_decisions_never_activated_total", neverBefore + 3, 20_000);
        Metrics.awaitAtLeast("policyrec_activations_total{outcome=\"activated\"}", activatedBefore + 3, 20_000);
        // The three activated and rewarded ones are learned from (batch size 2: at least one update).
        long deadline = System.currentTimeMillis() + 20_000;
        long now = version;
        while (now < version + 1 && System.currentTimeMillis() < deadline) {
            Metrics.sleep(50);
            now = given().get("/policies/pz").then().extract().<Number>path("version").longValue();
        }
        assertTrue(now >= version + 1, "activated events were learned from (version " + now + ")");
    }
}
