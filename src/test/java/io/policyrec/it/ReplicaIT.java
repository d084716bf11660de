package io.policyrec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.testing.KafkaBroker;
import io.policyrec.testing.Metrics;
import io.policyrec.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two instances sharing only Kafka and Redis: B serves (and takes the admin calls and the
 * traffic), A learns; B serves the snapshots A publishes, a hashed-features policy's included.
 * Writes the publish-to-serve delays to target/replica-delays.txt (a figure, not a pass mark: how
 * fast is for benchmarks, not for a test on a loaded machine).
 */
class ReplicaIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theNonLearningInstanceServesEachNewVersion() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "replica-");
        try (KafkaBroker kafka = new KafkaBroker(dir.resolve("kafka")).start();
             RedisServerProcess redis = new RedisServerProcess(dir.resolve("redis")).start()) {
            Map<String, String> common = new HashMap<>(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "quarkus.redis.hosts", redis.url(), "policyrec.kafka.partitions", "2",
                    "policyrec.kafka.feedback-partitions", "2", "policyrec.snapshot.every-updates", "2",
                    "policyrec.snapshot.interval", "PT1S"));
            Map<String, String> a = new HashMap<>(common);
            a.put("policyrec.instance-id", "learner-a");
            Map<String, String> b = new HashMap<>(common);
            b.putAll(Map.of("policyrec.instance-id", "server-b", "policyrec.kafka.learner-enabled", "false",
                    "policyrec.kafka.router-enabled", "false", "policyrec.snapshot.dir", dir.resolve("b").toString()));
            try (ServiceProcess learner = new ServiceProcess(dir.resolve("a.log"), a).start();
                 ServiceProcess server = new ServiceProcess(dir.resolve("b.log"), b).start()) {
                assertEquals(201, server.send("PUT", "/policies/shared", "{\"contextDimension\":3,\"actions\":4,"
                        + "\"batchSize\":1,\"seed\":3}").statusCode(), "a policy created on the serving instance");
                Map<Long, Long> firstServed = new java.util.concurrent.ConcurrentHashMap<>();
                Thread watcher = new Thread(() -> watch(server, firstServed));
                watcher.setDaemon(true);
                watcher.start();
                for (int i = 0; i < 40; i++) {
                    JsonNode d = JSON.readTree(server.send("POST", "/recommend",
                            "{\"policy\":\"shared\",\"context\":[0.1," + (i % 7) + ",0.5]}").body());
                    assertEquals(202, server.send("POST", "/feedback", "{\"eventId\":\"" + d.get("eventId").asText()
                            + "\",\"reward\":" + (i % 3 == 0 ? 1 : 0) + "}").statusCode());
                    Thread.sleep(100);
                }
                awaitVersion(server, "shared", 40);
                // Every decision joined to its reward on A (a counter, not a wait): with all 40 joined
                // there is nothing left that could make a version 41, so 40 is the final version.
                String joined = "policyrec_decisions_joined_total{outcome=\"rewarded\"}";
                KillRecoveryIT.awaitMetric(learner, joined, 40);
                assertEquals(40.0, KillRecoveryIT.metric(learner, joined), "each decision joined once");
                assertEquals(40, version(learner), "A learned every decision B made");
                assertEquals(40, version(server), "B serves the latest version");
                List<Long> delays = new ArrayList<>();
                for (JsonNode s : JSON.readTree(server.get("/policies/shared/snapshots").body())) {
                    long v = s.get("version").asLong();
                    Long seen = firstServed.get(v);
                    if (v > 0 && seen != null) {
                        delays.add(seen - Instant.parse(s.get("savedAt").asText()).toEpochMilli());
                    }
                }
                Collections.sort(delays);
                assertTrue(delays.size() >= 10, "B saw the published versions: " + delays);
                long p99 = delays.get((int) Math.ceil(0.99 * delays.size()) - 1);
                long p50 = delays.get(delays.size() / 2);
                Files.writeString(Path.of("target", "replica-delays.txt"), "snapshot saved -> served by the other "
                        + "instance (ms), " + delays.size() + " versions: p50 " + p50 + ", p99 " + p99 + ", all "
                        + delays + "\n" + "snapshot write time: " + metric(learner, "policyrec_snapshot_write_seconds"
                        + "{quantile=\"0.5\"}") + " s (p50), " + metric(learner,
                        "policyrec_snapshot_write_seconds{quantile=\"0.99\"}") + " s (p99)\n");
                servesAHashedPolicyLearnedElsewhere(learner, server);
                servesACandidatePolicyLearnedElsewhere(learner, server);
            }
        }
    }

    static long version(ServiceProcess s) throws Exception {
        return version(s, "shared");
    }

    static long version(ServiceProcess s, String policy) throws Exception {
        JsonNode view = JSON.readTree(s.get("/policies/" + policy).body());
        assertTrue(view.has("version"), policy + " on " + s + ": " + view);
        return view.get("version").asLong();
    }

    /** Polls until the instance serves at least this version; not within 30 s is a failure. */
    static void awaitVersion(ServiceProcess s, String policy, long version) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        long served = version(s, policy);
        while (served < version) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(policy + " still at version " + served + " after 30 s; expected " + version);
            }
            Metrics.sleep(50);
            served = version(s, policy);
        }
    }

    /** A policy over named features: B serves what A learned, rows and feature scales included. */
    static void servesAHashedPolicyLearnedElsewhere(ServiceProcess learner, ServiceProcess server) throws Exception {
        assertEquals(201, server.send("PUT", "/policies/named", "{\"input\":{\"type\":\"features\",\"bits\":12},"
                + "\"actions\":3,\"batchSize\":1,\"seed\":4}").statusCode());
        for (int i = 0; i < 10; i++) {
            JsonNode d = JSON.readTree(server.send("POST", "/recommend", "{\"policy\":\"named\",\"features\":"
                    + "{\"country\":\"C" + (i % 3) + "\",\"price\":" + (100 * i) + "}}").body());
            assertTrue(d.has("eventId"), "a decision: " + d);
            assertEquals(202, server.send("POST", "/feedback", "{\"eventId\":\"" + d.get("eventId").asText()
                    + "\",\"reward\":" + (i % 2) + "}").statusCode());
        }
        awaitVersion(server, "named", 10);
        assertEquals(10, version(learner, "named"), "A learned every named-features decision B made");
        assertEquals(10, version(server, "named"), "B serves A's latest version of the hashed policy");
        String probe = "{\"policy\":\"named\",\"features\":[{\"country\":\"C1\",\"price\":450}]}";
        assertEquals(JSON.readTree(learner.send("POST", "/recommend/probabilities", probe).body()).get("probabilities"),
                JSON.readTree(server.send("POST", "/recommend/probabilities", probe).body()).get("probabilities"),
                "the same distribution on both instances");
    }

    /** A policy over action features: B serves what A learned from the candidates B logged. */
    static void servesACandidatePolicyLearnedElsewhere(ServiceProcess learner, ServiceProcess server)
            throws Exception {
        assertEquals(201, server.send("PUT", "/policies/front", "{\"input\":{\"type\":\"features\",\"bits\":10},"
                + "\"actions\":{\"type\":\"features\",\"bits\":10},\"batchSize\":1,\"seed\":5}").statusCode());
        String candidates = "[{\"id\":\"a1\",\"features\":{\"section\":\"sports\",\"words\":600}},"
                + "{\"id\":\"a2\",\"features\":{\"section\":\"politics\",\"words\":1200}},"
                + "{\"id\":\"a3\",\"features\":{\"section\":\"science\",\"words\":900}}]";
        for (int i = 0; i < 10; i++) {
            JsonNode d = JSON.readTree(server.send("POST", "/recommend", "{\"policy\":\"front\",\"features\":"
                    + "{\"country\":\"C" + (i % 3) + "\"},\"candidates\":" + candidates + "}").body());
            assertTrue(d.has("eventId"), "a decision: " + d);
            assertEquals(202, server.send("POST", "/feedback", "{\"eventId\":\"" + d.get("eventId").asText()
                    + "\",\"reward\":" + (d.get("action").asText().equals("a1") ? 1 : 0) + "}").statusCode());
        }
        awaitVersion(server, "front", 10);
        assertEquals(10, version(learner, "front"), "A learned every decision over candidates B made");
        String probe = "{\"policy\":\"front\",\"features\":{\"country\":\"C1\"},\"candidates\":" + candidates
                + ",\"explain\":true}";
        assertEquals(JSON.readTree(learner.send("POST", "/recommend", probe).body()).get("probabilities"),
                JSON.readTree(server.send("POST", "/recommend", probe).body()).get("probabilities"),
                "the same distribution over the candidates on both instances");

        // The catalog: added on B, served by A (which polls the catalog versions).
        assertEquals(201, server.send("PUT", "/policies/front/actions/c1", "{\"features\":{\"section\":\"sports\"}}")
                .statusCode());
        assertEquals(201, server.send("PUT", "/policies/front/actions/c2", "{\"features\":{\"section\":\"travel\"}}")
                .statusCode());
        String fromCatalog = "{\"policy\":\"front\",\"features\":{\"country\":\"C1\"},\"explain\":true}";
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode onA = JSON.readTree(learner.send("POST", "/recommend", fromCatalog).body());
        while (!onA.has("probabilities") || onA.get("probabilities").size() != 2) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("A does not serve the catalog B wrote within 30 s: " + onA);
            }
            Metrics.sleep(100);
            onA = JSON.readTree(learner.send("POST", "/recommend", fromCatalog).body());
        }
        assertEquals(List.of("c1", "c2"), List.of(onA.get("probabilities").get(0).get("action").asText(),
                onA.get("probabilities").get(1).get("action").asText()), "A serves B's catalog");
    }

    static String metric(ServiceProcess s, String sample) throws Exception {
        for (String line : s.get("/q/metrics").body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return line.substring(sample.length() + 1).trim();
            }
        }
        return "?";
    }

    static void watch(ServiceProcess server, Map<Long, Long> firstServed) {
        while (true) {
            try {
                long v = version(server);
                synchronized (firstServed) {
                    firstServed.putIfAbsent(v, System.currentTimeMillis());
                }
                Thread.sleep(20);
            } catch (Exception e) {
                return;
            }
        }
    }
}
