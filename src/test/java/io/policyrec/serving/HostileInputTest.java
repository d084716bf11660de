package io.policyrec.serving;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.testing.FuzzProfile;
import io.policyrec.testing.KafkaTestClient;
import io.policyrec.testing.Metrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: 12,000 random and malformed requests across every endpoint (wrong types, huge
 * arrays, deep nesting, NaN, invalid UTF-8, oversized bodies, unknown fields, missing or wrong
 * keys) and 1,500 malformed records on the feedback topic. Every HTTP answer is 4xx, the service
 * stays up, the dead-letter topic takes every bad record, and no policy's weights change.
 */
@QuarkusTest
@TestProfile(FuzzProfile.class)
class HostileInputTest {
    static final int REQUESTS = 12_000;
    static final int RECORDS = 1_500;

    @TestHTTPResource("/")
    URI base;

    @Inject
    PolicyRegistry registry;

    record Attempt(String method, String path, String contentType, byte[] body, String key) {
    }

    @Test
    void nothingHostileGetsA5xxOrChangesAPolicy() throws Exception {
        given().header("X-API-Key", FuzzProfile.ADMIN).contentType("application/json")
                .body(Map.of("contextDimension", 4, "actions", 3, "batchSize", 10, "seed", 4))
                .put("/policies/fuzz-target").then().statusCode(201);
        given().header("X-API-Key", FuzzProfile.ADMIN).contentType("application/json")
                .body(Map.of("input", Map.of("type", "features", "bits", 8), "actions", Map.of("type", "features",
                        "bits", 8), "batchSize", 10, "seed", 5))
                .put("/policies/fuzz-candidates").then().statusCode(201);
        PolicySnapshot before = registry.get("fuzz-target");
        PolicySnapshot candidatesBefore = registry.get("fuzz-candidates");
        PolicySnapshot defaultBefore = registry.get("default");
        double dlqBefore = dlqTotal();

        Random random = new Random(20261125);
        List<Attempt> attempts = new java.util.ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            attempts.add(attempt(random, i));
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Map<String, String> fivexx = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new java.util.ArrayList<>();
        for (Attempt a : attempts) {
            futures.add(pool.submit(() -> {
                int status = send(http, a);
                statuses.merge(status, 1, Integer::sum);
                if (status < 400 || status >= 500) {
                    fivexx.putIfAbsent(a.method() + " " + a.path() + " -> " + status, new String(a.body(),
                            0, Math.min(a.body().length, 300), StandardCharsets.UTF_8));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();

        for (int i = 0; i < RECORDS; i++) {
            byte[][] record = badRecord(random, i);
            KafkaTestClient.send("policyrec.feedback", record[0], record[1]);
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (dlqTotal() - dlqBefore < RECORDS && System.currentTimeMillis() < deadline) {
            Metrics.sleep(200);
        }
        double deadLettered = dlqTotal() - dlqBefore;

        Files.writeString(Path.of("target", "fuzz-report.txt"), "HTTP requests: " + REQUESTS + ", answers by status: "
                + new TreeMap<>(statuses) + "\nmalformed feedback records: " + RECORDS + ", dead-lettered: "
                + (long) deadLettered + "\n");
        assertTrue(fivexx.isEmpty(), "answers that were not 4xx: " + fivexx);
        assertEquals(REQUESTS, statuses.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(RECORDS, deadLettered, 0.0, "every malformed record went to the dead-letter topic");
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        assertSame(before, registry.get("fuzz-target"), "the policy's weights are unchanged");
        assertSame(candidatesBefore, registry.get("fuzz-candidates"), "the candidate policy's weights are unchanged");
        assertSame(defaultBefore, registry.get("default"), "the default policy's weights are unchanged");
    }

    static double dlqTotal() {
        String body = given().get("/q/metrics").then().extract().asString();
        double total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("policyrec_feedback_dlq_total{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    int send(HttpClient http, Attempt a) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(a.path())).timeout(Duration.ofSeconds(60))
                .method(a.method(), a.body().length == 0 && !a.method().equals("PUT") && !a.method().equals("POST")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(a.body()));
        if (a.contentType() != null) {
            b.header("Content-Type", a.contentType());
        }
        if (a.key() != null) {
            b.header("X-API-Key", a.key());
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError("no answer within 60 s to " + a.method() + " /" + a.path(), e);
        } catch (java.io.IOException e) {
            // Only a body over the limit may end without an answer read: the server answers 413 and
            // closes the connection while the client still writes. Anything else is a failure.
            if (a.body().length > MAX_BODY_BYTES) {
                return 413;
            }
            throw new AssertionError(a.method() + " /" + a.path() + " with a body of " + a.body().length
                    + " bytes (under the limit) got no answer: " + e, e);
        }
    }

    /** quarkus.http.limits.max-body-size (application.properties). */
    static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

    static final String[] PATHS = {"recommend", "recommend/batch", "recommend/probabilities", "feedback",
        "policies/fuzz-target", "policies/fz-new", "policies/fz-new/rollback", "policies/fuzz-target/rollback",
        "policies/fuzz-target/snapshots", "policies/fz-new/snapshots"};

    /** One request that must be refused: the body is broken, or the key is missing or wrong. */
    static Attempt attempt(Random r, int i) {
        String path = i % 24 == 11 ? "recommend" : i % 24 == 23 ? "loops/fuzz-candidates/personalizer/v1.0/rank"
                : PATHS[r.nextInt(PATHS.length)];
        boolean admin = path.startsWith("policies/");
        String method = admin ? List.of("PUT", "POST", "DELETE").get(r.nextInt(3)) : "POST";
        if (path.endsWith("/rollback")) {
            method = "POST";
        }
        if (path.endsWith("/snapshots")) {
            method = "PUT";
        }
        String key = null;
        if (admin) {
            // The admin key only on paths where the body is what is refused, never for a DELETE.
            key = switch (r.nextInt(3)) {
                case 0 -> null;
                case 1 -> "wrong-" + r.nextInt(1000);
                default -> method.equals("DELETE") ? "wrong" : FuzzProfile.ADMIN;
            };
        }
        String contentType = path.endsWith("/snapshots") && r.nextBoolean() ? "application/octet-stream"
                : r.nextInt(20) == 0 ? "text/plain" : "application/json";
        byte[] body = body(r, i, path);
        if (method.equals("DELETE")) {
            body = new byte[0];
        }
        return new Attempt(method, path, contentType, body, key);
    }

    static byte[] body(Random r, int i, String path) {
        return switch (i % 12) {
            case 0 -> randomJson(r, 0).getBytes(StandardCharsets.UTF_8);
            case 1 -> ("{\"context\": [" + "1.5,".repeat(200_000 + r.nextInt(1000)) + "1]}").getBytes(StandardCharsets.UTF_8);
            case 2 -> ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8);
            case 3 -> "{\"context\": [NaN, Infinity, -Infinity, 1e999], \"policy\": \"fuzz-target\"}"
                    .getBytes(StandardCharsets.UTF_8);
            case 4 -> {
                byte[] b = "{\"policy\": \"fuzz-target\", \"context\": [1,2,3,4], \"x\": \"\u00ff\"}"
                        .getBytes(StandardCharsets.ISO_8859_1);
                b[b.length - 3] = (byte) 0xC3;
                b[b.length - 2] = (byte) 0x28;
                yield b;
            }
            case 5 -> i % 240 == 5 ? new byte[17 * 1024 * 1024] : new byte[r.nextInt(64)];
            case 6 -> ("{\"policy\": \"fuzz-target\", \"context\": [1,2,3,4], \"lamda\": " + r.nextInt() + "}")
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> ("{\"contextDimension\": \"" + r.nextInt() + "\", \"actions\": 3}").getBytes(StandardCharsets.UTF_8);
            case 8 -> ("{\"eventId\": " + r.nextInt() + ", \"reward\": \"high\"}").getBytes(StandardCharsets.UTF_8);
            case 9 -> ("{\"policy\": \"fuzz-target\", \"contexts\": [[1,2,3,4],[1,2]], \"k\": " + (r.nextInt(10) - 5)
                    + ", \"version\": -1, \"contextDimension\": 0}").getBytes(StandardCharsets.UTF_8);
            case 10 -> {
                byte[] b = new byte[r.nextInt(2000) + 1];
                r.nextBytes(b);
                yield b;
            }
            // A policy over action features: candidates that are never a valid list (no "id" among their keys).
            // Personalizer's Rank on the same policy: actions that are never a valid list either.
            case 11 -> i % 24 == 23 ? ("{\"contextFeatures\": " + randomJson(r, 1) + ", \"actions\": "
                    + randomJson(r, 1) + ", \"excludedActions\": " + randomJson(r, 2) + ", \"eventId\": "
                    + randomJson(r, 3) + ", \"deferActivation\": " + randomJson(r, 3) + "}")
                    .getBytes(StandardCharsets.UTF_8)
                    : i % 24 == 11 ? ("{\"policy\": \"fuzz-candidates\", \"features\": {\"a\": 1}"
                    + ", \"candidates\": " + randomJson(r, 1) + ", \"excludedActions\": " + randomJson(r, 2)
                    + ", \"k\": " + randomJson(r, 3) + "}").getBytes(StandardCharsets.UTF_8)
                    : ("{\"policy\": " + randomJson(r, 2) + ", \"context\": " + randomJson(r, 2) + ", \"version\": "
                    + randomJson(r, 1) + ", \"eventId\": null, \"actions\": -1, \"unknown\": 1}")
                    .getBytes(StandardCharsets.UTF_8);
            default -> ("{\"policy\": " + randomJson(r, 2) + ", \"context\": " + randomJson(r, 2) + ", \"version\": "
                    + randomJson(r, 1) + ", \"eventId\": null, \"actions\": -1, \"unknown\": 1}")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    static String randomJson(Random r, int depth) {
        int kind = depth > 4 ? r.nextInt(4) : r.nextInt(7);
        return switch (kind) {
            case 0 -> Integer.toString(r.nextInt());
            case 1 -> "\"" + Long.toHexString(r.nextLong()) + "\"";
            case 2 -> r.nextBoolean() ? "true" : "null";
            case 3 -> Double.toString(r.nextGaussian() * 1e6);
            case 4, 5 -> {
                StringBuilder sb = new StringBuilder("[");
                int n = r.nextInt(5);
                for (int j = 0; j < n; j++) {
                    sb.append(j == 0 ? "" : ",").append(randomJson(r, depth + 1));
                }
                yield sb.append(']').toString();
            }
            default -> {
                StringBuilder sb = new StringBuilder("{");
                int n = r.nextInt(4);
                for (int j = 0; j < n; j++) {
                    sb.append(j == 0 ? "" : ",").append("\"f").append(r.nextInt(20)).append("\":")
                            .append(randomJson(r, depth + 1));
                }
                yield sb.append('}').toString();
            }
        };
    }

    /** A feedback record that must be dead-lettered: key, value. */
    static byte[][] badRecord(Random r, int i) {
        byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
        return switch (i % 8) {
            case 0 -> new byte[][] {key, "{not json".getBytes(StandardCharsets.UTF_8)};
            case 6 -> new byte[][] {key, (r.nextBoolean() ? "{\"eventId\": \"e\", \"activate\": true, \"reward\": 1}"
                    : "{\"eventId\": \"e\", \"activate\": " + r.nextInt(3) + "}").getBytes(StandardCharsets.UTF_8)};
            case 1 -> new byte[][] {null, "{\"reward\": 1}".getBytes(StandardCharsets.UTF_8)};
            case 2 -> new byte[][] {key, "{\"eventId\": \"e\", \"reward\": NaN}".getBytes(StandardCharsets.UTF_8)};
            case 3 -> new byte[][] {key, ("{\"eventId\": \"e\", \"reward\": 1, \"f" + r.nextInt(100) + "\": 2}")
                    .getBytes(StandardCharsets.UTF_8)};
            case 4 -> {
                byte[] v = new byte[1 + r.nextInt(500)];
                r.nextBytes(v);
                v[0] = (byte) 'x';
                yield new byte[][] {key, v};
            }
            case 5 -> new byte[][] {key, "[1, {\"eventId\": \"e\"}]".getBytes(StandardCharsets.UTF_8)};
            default -> new byte[][] {key, ("{\"eventId\": \"e\", \"timestamp\": {\"t\": " + r.nextInt() + "}}")
                    .getBytes(StandardCharsets.UTF_8)};
        };
    }
}
