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
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A policy's catalog: actions added, replaced and removed while the policy learns, without a reset;
 * a request without candidates offers the whole catalog, and one may mix catalog ids with actions
 * it describes itself; an action added is served from the next request on.
 */
@QuarkusTest
class CatalogResourceTest {
    static final Map<String, Object> USER = Map.of("country", "DE", "segments", List.of("sports"));

    static ValidatableResponse putAction(String policy, String id, Map<String, Object> features) {
        return given().contentType(ContentType.JSON).body(Map.of("features", features))
                .put("/policies/" + policy + "/actions/" + id).then();
    }

    static Map<String, Float> explained(Map<String, Object> request) {
        Map<String, Object> body = new HashMap<>(request);
        body.put("explain", true);
        List<Map<String, Object>> q = recommend(body).statusCode(200).extract().path("probabilities");
        Map<String, Float> byId = new HashMap<>();
        q.forEach(p -> byId.put((String) p.get("action"), ((Number) p.get("probability")).floatValue()));
        return byId;
    }

    @Test
    void theCatalogChangesWhileThePolicyLearnsWithoutAReset() {
        put("shop", Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type", "features",
                "bits", 8), "batchSize", 2, "seed", 7)).statusCode(isOneOf(200, 201));
        putAction("shop", "t1", Map.of("category", "shoes", "price", 80)).statusCode(201);
        putAction("shop", "t1", Map.of("category", "shoes", "price", 70)).statusCode(200);
        given().contentType(ContentType.JSON).body(List.of(
                Map.of("id", "t2", "features", Map.of("category", "bags", "price", 120)),
                Map.of("id", "t3", "features", Map.of("category", "hats", "price", 25))))
                .post("/policies/shop/actions").then().statusCode(200).body("size", equalTo(3));
        given().get("/policies/shop/actions").then().statusCode(200).body("actions", hasSize(3))
                .body("actions[0].id", equalTo("t1")).body("actions[0].features.price", equalTo(70));

        assertEquals(Map.of("t1", 1, "t2", 1, "t3", 1).keySet(), explained(Map.of("policy", "shop", "features", USER))
                .keySet(), "a request without candidates offers the whole catalog");
        Map<String, Float> mixed = explained(Map.of("policy", "shop", "features", USER, "candidates", List.of("t3",
                Map.of("id", "inline", "features", Map.of("category", "socks", "price", 5)))));
        assertEquals(Map.of("t3", 1, "inline", 1).keySet(), mixed.keySet(), "catalog ids and described actions");

        String first = recommend(Map.of("policy", "shop", "features", USER)).statusCode(200).extract().path("eventId");
        String second = recommend(Map.of("policy", "shop", "features", USER)).statusCode(200).extract().path("eventId");
        long before = Requests.version("shop");
        Requests.feedback(Map.of("eventId", first, "reward", 1.0)).statusCode(isOneOf(200, 202, 204));
        Requests.feedback(Map.of("eventId", second, "reward", 0.0)).statusCode(isOneOf(200, 202, 204));
        long learned = Requests.awaitVersion("shop", before + 1, 30_000);

        putAction("shop", "t4", Map.of("category", "coats", "price", 200)).statusCode(201);
        assertTrue(Requests.version("shop") >= learned, "adding an action resets nothing");
        Map<String, Float> withNew = explained(Map.of("policy", "shop", "features", USER));
        assertTrue(withNew.get("t4") > 0.01, "the new action is served from the next request on: " + withNew);

        given().delete("/policies/shop/actions/t2").then().statusCode(204);
        assertFalse(explained(Map.of("policy", "shop", "features", USER)).containsKey("t2"), "a removed action");
        problem(given().delete("/policies/shop/actions/t2").then(), 404, null);
        problem(recommend(Map.of("policy", "shop", "features", USER, "candidates", List.of("t2"))), 400,
                "candidates[0]");
    }

    @Test
    void aPolicyImportedOverItselfKeepsServingItsCatalog() {
        put("shop-import", Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type",
                "features", "bits", 8), "seed", 10)).statusCode(isOneOf(200, 201));
        putAction("shop-import", "k1", Map.of("category", "tea")).statusCode(201);
        byte[] exported = given().get("/policies/shop-import/snapshots/0").then().statusCode(200).extract()
                .asByteArray();
        given().contentType("application/octet-stream").body(exported).put("/policies/shop-import/snapshots").then()
                .statusCode(isOneOf(200, 201));
        assertEquals(Map.of("k1", 1).keySet(), explained(Map.of("policy", "shop-import", "features", USER)).keySet(),
                "the new incarnation serves the catalog at once");
    }

    @Test
    void badCatalogChangesAre4xxNamingTheField() {
        put("shop-bad", Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type", "features"),
                "seed", 8)).statusCode(isOneOf(200, 201));
        put("shop-fixed", Map.of("contextDimension", 2, "actions", 2, "seed", 9)).statusCode(isOneOf(200, 201));
        problem(putAction("shop-fixed", "x", Map.of("a", 1)), 400, "policy");
        problem(putAction("no-such-policy", "x", Map.of("a", 1)), 404, null);
        problem(putAction("shop-bad", "x", Map.of("a", List.of(List.of(1)))), 400, "features.a[0]");
        problem(given().contentType(ContentType.JSON).body(Map.of()).put("/policies/shop-bad/actions/x").then(), 400,
                "features");
        problem(given().contentType(ContentType.JSON).body(List.of(Map.of("id", "a", "features", Map.of("k", 1)),
                Map.of("id", "a", "features", Map.of("k", 2)))).post("/policies/shop-bad/actions").then(), 400,
                "[1].id");
        problem(given().contentType(ContentType.JSON).body(List.of(Map.of("features", Map.of("k", 1))))
                .post("/policies/shop-bad/actions").then(), 400, "[0].id");
        problem(recommend(Map.of("policy", "shop-bad", "features", USER)), 400, "candidates");
        given().get("/policies/shop-bad/actions").then().statusCode(200).body("actions", hasSize(0));
    }

    @jakarta.inject.Inject
    CatalogService catalogs;

    @Test
    void aChangeHashesOnlyTheActionsItChanged() {
        put("shelf", Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type", "features",
                "bits", 8))).statusCode(isOneOf(200, 201));
        putAction("shelf", "s1", Map.of("category", "shoes", "price", 80)).statusCode(201);
        putAction("shelf", "s2", Map.of("category", "bags", "price", 120)).statusCode(201);
        io.policyrec.policy.Catalog before = catalogs.catalog("shelf");

        putAction("shelf", "s2", Map.of("category", "bags", "price", 99)).statusCode(200);
        putAction("shelf", "s3", Map.of("category", "hats", "price", 25)).statusCode(201);
        io.policyrec.policy.Catalog after = catalogs.catalog("shelf");

        assertEquals(List.of("s1", "s2", "s3"), after.ids());
        assertTrue(before.candidates().get("s1") == after.candidates().get("s1"),
                "an action the changes left alone keeps the candidate hashed before");
        assertFalse(before.candidates().get("s2") == after.candidates().get("s2"), "a replaced action is hashed again");
        assertEquals(99, after.features().get("s2").get("price").intValue());
        assertFalse(java.util.Arrays.equals(before.candidates().get("s2").features().values(),
                after.candidates().get("s2").features().values()), "its new features are the ones served");
    }
}
