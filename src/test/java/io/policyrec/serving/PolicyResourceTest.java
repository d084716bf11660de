package io.policyrec.serving;

import static io.policyrec.serving.Requests.problem;
import static io.policyrec.serving.Requests.put;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.policyrec.policy.RegularizerSettings;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PolicyResourceTest {

    static Map<String, Object> small(Object actions) {
        return Map.of("contextDimension", 4, "actions", actions, "seed", 3);
    }

    @Test
    void createsWithDefaultsThenReplaces() {
        put("p-create", Map.of("contextDimension", 4, "actions", 3)).statusCode(201)
                .body("name", equalTo("p-create"))
                .body("version", equalTo(0))
                .body("updates", equalTo(0))
                .body("config.contextDimension", equalTo(4))
                .body("config.actions", equalTo(3))
                .body("config.hiddenLayers", equalTo(List.of(32, 32)))
                .body("config.learningRate", equalTo(0.001f))
                .body("config.batchSize", equalTo(100))
                .body("config.regularizer.type", equalTo("entropy"))
                .body("config.regularizer.lambda", equalTo(0.1f))
                .body("config.regularizer.reference", equalTo("uniform"))
                // No regularizer named: lambda adapts towards a share of log K (the default that needs no tuning).
                .body("config.regularizer.targetEntropyRatio", equalTo((float) RegularizerSettings.DEFAULT_TARGET_RATIO))
                .body("config.regularizer.lambdaStep", equalTo(0.005f))
                .body("config.minProbability", equalTo(0.0f))
                .body("config.rewardWindow", equalTo("PT30S"))
                .body("config.defaultReward", equalTo(0.0f))
                .body("config.rewardAggregation", equalTo("earliest"))
                .body("config.seed", notNullValue());
        put("p-create", small(List.of("a", "b"))).statusCode(200).body("config.actions", equalTo(List.of("a", "b")));
        given().get("/policies/p-create").then().statusCode(200).body("config.actions", equalTo(List.of("a", "b")));
    }

    @Test
    void listsGetsAndDeletes() {
        put("p-list", small(2)).statusCode(201);
        given().get("/policies").then().statusCode(200).body("name", hasItem("p-list")).body("name", hasItem("default"));
        given().get("/policies/p-list").then().statusCode(200).body("name", equalTo("p-list"))
                .body("version", equalTo(0)).body("updates", equalTo(0));
        given().delete("/policies/p-list").then().statusCode(204);
        problem(given().get("/policies/p-list").then(), 404, null);
        problem(given().delete("/policies/p-list").then(), 404, null);
    }

    @Test
    void replacingResetsTheLearnedWeights() {
        Map<String, Object> config = Map.of("contextDimension", 4, "actions", 3, "batchSize", 1, "seed", 11);
        put("p-reset", config).statusCode(201);
        float[] x = {0.1f, 0.2f, 0.3f, 0.4f};
        List<Float> before = given().contentType(ContentType.JSON)
                .body(Map.of("policy", "p-reset", "context", x, "explain", true)).post("/recommend")
                .then().statusCode(200).extract().path("probabilities.probability");
        for (int i = 0; i < 5; i++) {
            Requests.feedback(Map.of("eventId", Requests.eventId("p-reset", x), "reward", 1.0)).statusCode(202);
        }
        long learned = Requests.awaitVersion("p-reset", 5, 10_000);
        assertEquals(5, learned);
        List<Float> after = given().contentType(ContentType.JSON)
                .body(Map.of("policy", "p-reset", "context", x, "explain", true)).post("/recommend")
                .then().statusCode(200).extract().path("probabilities.probability");
        assertNotEquals(before, after, "five updates must move the distribution");
        put("p-reset", config).statusCode(200).body("version", equalTo(0)).body("updates", equalTo(0));
        List<Float> reset = given().contentType(ContentType.JSON)
                .body(Map.of("policy", "p-reset", "context", x, "explain", true)).post("/recommend")
                .then().statusCode(200).body("policyVersion", equalTo(0)).extract().path("probabilities.probability");
        assertEquals(before, reset, "same seed, fresh weights");
    }

    @Test
    void unknownFieldsAreRejectedByName() {
        problem(put("p-typo", Map.of("contextDimension", 4, "actions", 3, "batchsize", 5)), 400, "batchsize");
        problem(put("p-typo", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("type", "js", "lamda", 1))), 400, "regularizer.lamda");
        problem(given().get("/policies/p-typo").then(), 404, null);
    }

    @Test
    void configsThatMakeNoSenseAre400() {
        problem(put("p-bad", Map.of("actions", 3)), 400, "contextDimension");
        problem(put("p-bad", Map.of("contextDimension", 4)), 400, "actions");
        problem(put("p-bad", Map.of("contextDimension", 0, "actions", 3)), 400, "contextDimension");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 1)), 400, "actions");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", List.of("a", "a"))), 400, "actions");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", List.of(1, 2))), 400, "actions");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", "three")), 400, "actions");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "hiddenLayers", List.of(0))), 400,
                "hiddenLayers");
        problem(put("p-bad", Map.of("contextDimension", 100000, "actions", 3, "hiddenLayers", List.of(4096, 4096))),
                400, "hiddenLayers");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "learningRate", -1)), 400, "learningRate");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "batchSize", 0)), 400, "batchSize");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "regularizer", Map.of("type", "l2"))), 400,
                "regularizer.type");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "regularizer", Map.of("lambda", -0.5))), 400,
                "regularizer.lambda");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("type", "kl", "reference", "previous"))), 400, "regularizer.reference");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("type", "entropy", "reference", "previous"))), 400, "regularizer.reference");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("type", "js", "reference", "previous"))), 400, "regularizer.reference")
                .body("errors[0].message", containsString("no longer offered"));
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("targetEntropy", 0.5, "targetEntropyRatio", 0.4))), 400,
                "regularizer.targetEntropyRatio");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("targetEntropyRatio", 1.5))), 400, "regularizer.targetEntropyRatio");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("lambdaMax", 0))), 400, "regularizer.lambdaMax");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("reference", "earlier"))), 400, "regularizer.reference");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3,
                "regularizer", Map.of("targetEntropy", 5.0))), 400, "regularizer.targetEntropy");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 4, "minProbability", 0.3)), 400,
                "minProbability");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "rewardWindow", "30s")), 400, "rewardWindow");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "rewardWindow", "PT0S")), 400,
                "rewardWindow");
        problem(put("p-bad", Map.of("contextDimension", 4, "actions", 3, "rewardAggregation", "mean")), 400,
                "rewardAggregation");
        problem(put("p-bad", Map.of("contextDimension", 4.5, "actions", 3)), 400, "contextDimension");
        problem(put("p-bad", Map.of("contextDimension", "four", "actions", 3)), 400, "contextDimension");
        problem(put("bad name!", small(3)), 400, "name");
        problem(given().contentType(ContentType.JSON).body("{\"contextDimension\": 4,").put("/policies/p-bad").then(),
                400, null);
        problem(given().contentType(ContentType.JSON).put("/policies/p-bad").then(), 400, null);
        problem(given().get("/policies/p-bad").then(), 404, null);
    }

    @Test
    void theDefaultPolicyExistsFromConfiguration() {
        given().get("/policies/default").then().statusCode(200)
                .body("config.contextDimension", equalTo(784)).body("config.actions", equalTo(10));
    }

    @Test
    void anImportedSnapshotThatPushesAwayFromEarlierPoliciesIsRefused() {
        io.policyrec.policy.PolicyConfig config = new io.policyrec.policy.PolicyConfig(3,
                io.policyrec.policy.ActionSet.ofCount(3), List.of(4), 0.01, 1,
                new io.policyrec.policy.RegularizerSettings(io.policyrec.policy.RegularizerType.JS, 0.5,
                        io.policyrec.policy.ReferenceKind.PREVIOUS, null, 0.01, 5), 0.0,
                java.time.Duration.ofSeconds(30), 0.0, io.policyrec.policy.RewardAggregation.EARLIEST, 1,
                io.policyrec.policy.BaselineKind.MEAN, 10.0);
        io.policyrec.snapshot.StoredPolicy old = new io.policyrec.snapshot.StoredPolicy("old", 1, config, 0, 1, 1,
                Double.NaN, io.policyrec.learning.PolicyGradientLearner.create(config,
                        org.nd4j.linalg.api.buffer.DataType.FLOAT).state(), Map.of(),
                io.policyrec.snapshot.JoinState.EMPTY);
        problem(given().contentType("application/octet-stream").body(io.policyrec.snapshot.SnapshotCodec.encode(old))
                .put("/policies/p-import-previous/snapshots").then(), 400, "regularizer.reference");
        given().get("/policies/p-import-previous").then().statusCode(404);
    }
}
