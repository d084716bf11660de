package io.policyrec.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI and Prometheus endpoints answer what operators expect. */
@QuarkusTest
class OperationsTest {

    @Test
    void livenessAndReadinessAreUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("policyrec"));
    }

    @Test
    void openApiDescribesTheApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/recommend"))
                .body("paths", org.hamcrest.Matchers.hasKey("/policies/{name}"))
                .body("paths", org.hamcrest.Matchers.hasKey("/feedback"))
                // Swagger UI can send the key: an apiKey scheme in the X-API-Key header, required where it is.
                .body("components.securitySchemes.api-key.type", equalTo("apiKey"))
                .body("components.securitySchemes.api-key.in", equalTo("header"))
                .body("components.securitySchemes.api-key.name", equalTo("X-API-Key"))
                .body("paths['/recommend'].post.security[0]", org.hamcrest.Matchers.hasKey("api-key"))
                .body("paths['/policies/{name}'].put.security[0]", org.hamcrest.Matchers.hasKey("api-key"))
                .body("paths['/policies/{name}'].get.security", org.hamcrest.Matchers.nullValue());
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void prometheusHasHttpAndFeedbackMetrics() {
        Requests.recommend(Map.of("context", Requests.context(784, 3))).statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds_count{"))
                .body(containsString("uri=\"/recommend\""))
                .body(containsString("policyrec_feedback_rejected_total{reason=\"unknown\"}"))
                .body(containsString("policyrec_decisions_evicted_total"))
                .body(containsString("policyrec_decisions_dropped_total"));
    }
}
