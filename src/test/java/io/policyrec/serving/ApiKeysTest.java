package io.policyrec.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.policyrec.testing.SecuredProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admin calls need the admin key, decisions and feedback a client key: 401 without, 403 wrong. */
@QuarkusTest
@TestProfile(SecuredProfile.class)
class ApiKeysTest {
    static final Map<String, Object> CONFIG = Map.of("contextDimension", 3, "actions", 3, "seed", 1);

    static RequestSpecification as(String key) {
        RequestSpecification r = given().contentType(ContentType.JSON);
        return key == null ? r : r.header("X-API-Key", key);
    }

    @Test
    void adminCallsNeedTheAdminKey() {
        as(null).body(CONFIG).put("/policies/sec").then().statusCode(401).contentType("application/problem+json");
        as("wrong").body(CONFIG).put("/policies/sec").then().statusCode(403).contentType("application/problem+json");
        as(SecuredProfile.CLIENT).body(CONFIG).put("/policies/sec").then().statusCode(403);
        as(SecuredProfile.ADMIN).body(CONFIG).put("/policies/sec").then().statusCode(equalTo(201));
        as(null).body(Map.of("version", 0)).post("/policies/sec/rollback").then().statusCode(401);
        as(SecuredProfile.ADMIN).body(Map.of("version", 0)).post("/policies/sec/rollback").then().statusCode(200);
        given().contentType("application/octet-stream").body(new byte[] {1}).put("/policies/sec2/snapshots")
                .then().statusCode(401);
        given().get("/policies/sec/snapshots/0").then().statusCode(401);
        given().header("X-API-Key", SecuredProfile.ADMIN).get("/policies/sec/snapshots/0").then().statusCode(200);
        given().get("/policies/sec").then().statusCode(200);
        given().get("/policies").then().statusCode(200);
        given().delete("/policies/sec").then().statusCode(401);
        given().header("X-API-Key", "x").delete("/policies/sec").then().statusCode(403);
        given().header("X-API-Key", SecuredProfile.ADMIN).delete("/policies/sec").then().statusCode(204);
    }

    @Test
    void decisionsAndFeedbackNeedAClientKey() {
        as(SecuredProfile.ADMIN).body(CONFIG).put("/policies/sec-client").then().statusCode(201);
        Map<String, Object> body = Map.of("policy", "sec-client", "context", new float[] {1, 2, 3});
        as(null).body(body).post("/recommend").then().statusCode(401).contentType("application/problem+json");
        as("nope").body(body).post("/recommend").then().statusCode(403);
        as(SecuredProfile.CLIENT).body(body).post("/recommend").then().statusCode(200);
        as("client-secret-2").body(body).post("/recommend").then().statusCode(200);
        as(null).body(Map.of("policy", "sec-client", "contexts", new float[][] {{1, 2, 3}})).post("/recommend/batch")
                .then().statusCode(401);
        as(null).body(Map.of("eventId", "e", "reward", 1.0)).post("/feedback").then().statusCode(401);
        as(SecuredProfile.CLIENT).body(Map.of("eventId", "e", "reward", 1.0)).post("/feedback").then().statusCode(202);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void personalizersKeyHeaderIsAClientKeyAndItsErrorsCarryItsCodes() {
        as(SecuredProfile.ADMIN).body(Map.of("input", Map.of("type", "features"), "actions",
                Map.of("type", "features"), "seed", 1)).put("/policies/sec-loop").then().statusCode(201);
        Map<String, Object> rank = Map.of("actions", java.util.List.of(Map.of("id", "a", "features",
                java.util.List.of(Map.of("x", 1)))));
        String path = "/loops/sec-loop/personalizer/v1.0/rank";
        given().contentType(ContentType.JSON).body(rank).post(path).then().statusCode(401)
                .contentType("application/json").body("error.code", equalTo("Unauthorized"));
        given().contentType(ContentType.JSON).header("Ocp-Apim-Subscription-Key", "nope").body(rank).post(path)
                .then().statusCode(403).body("error.code", equalTo("Forbidden"));
        given().contentType(ContentType.JSON).header("Ocp-Apim-Subscription-Key", SecuredProfile.CLIENT).body(rank)
                .post(path).then().statusCode(201).body("rewardActionId", equalTo("a"));
        // Only client calls take Azure's header: the admin API keeps to X-API-Key.
        given().contentType(ContentType.JSON).header("Ocp-Apim-Subscription-Key", SecuredProfile.ADMIN)
                .delete("/policies/sec-loop").then().statusCode(401);
    }

    @Test
    void spellingsOfAProtectedPathNeedTheSameKey() {
        as(SecuredProfile.ADMIN).body(CONFIG).put("/policies/sec-paths").then().statusCode(201);
        for (String path : new String[] {"/feedback/", "//feedback", "/feedback;x=1"}) {
            int status = as(null).body(Map.of("eventId", "e", "reward", 1.0)).post(path).then().extract().statusCode();
            org.junit.jupiter.api.Assertions.assertTrue(status == 401 || status == 404,
                    path + " answered " + status + " without a key");
        }
        for (String path : new String[] {"/policies/sec-paths/snapshots/0/", "/policies//sec-paths/snapshots/0"}) {
            int status = given().get(path).then().extract().statusCode();
            org.junit.jupiter.api.Assertions.assertTrue(status == 401 || status == 404,
                    path + " answered " + status + " without a key");
        }
        int put = as(null).body(CONFIG).put("/policies/sec-paths/").then().extract().statusCode();
        org.junit.jupiter.api.Assertions.assertTrue(put == 401 || put == 404, "PUT with a slash answered " + put);
    }
}
