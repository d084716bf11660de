package io.policyrec.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.Random;

/** Small helpers for the REST tests. */
final class Requests {
    private Requests() {
    }

    static float[] context(int dimension, long seed) {
        Random r = new Random(seed);
        float[] x = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    static ValidatableResponse put(String name, Object body) {
        return given().contentType(ContentType.JSON).body(body).put("/policies/" + name).then();
    }

    static ValidatableResponse recommend(Object body) {
        return given().contentType(ContentType.JSON).body(body).post("/recommend").then();
    }

    static ValidatableResponse feedback(Object body) {
        return given().contentType(ContentType.JSON).body(body).post("/feedback").then();
    }

    static String eventId(String policy, float[] context) {
        return recommend(Map.of("policy", policy, "context", context)).statusCode(200).extract().path("eventId");
    }

    /** Asserts a 4xx problem+json answer naming the field. */
    static ValidatableResponse problem(ValidatableResponse response, int status, String field) {
        response.statusCode(status).contentType("application/problem+json");
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }
        return response;
    }

    static long version(String policy) {
        return given().get("/policies/" + policy).then().statusCode(200).extract().<Number>path("version").longValue();
    }

    static long awaitVersion(String policy, long atLeast, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long v = version(policy);
        while (v < atLeast && System.currentTimeMillis() < deadline) {
            io.policyrec.testing.Metrics.sleep(50);
            v = version(policy);
        }
        return v;
    }
}
