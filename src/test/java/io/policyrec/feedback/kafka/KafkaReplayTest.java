package io.policyrec.feedback.kafka;

import io.policyrec.feedback.JoinMetrics;
import io.policyrec.feedback.PendingBudget;
import io.policyrec.feedback.PolicyLearning;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.learning.Learner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.TableRows;
import io.policyrec.policy.PolicyWeights;
import io.policyrec.testing.KafkaProfile;
import io.policyrec.testing.KafkaTestClient;
import io.policyrec.testing.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Replay: reading the decision and routed-feedback topics twice from the beginning gives the same
 * joined decisions in the same order, each once, and the same weights, which are the weights the
 * live learner reached, bit for bit (fixed batches: {@link KafkaProfile}); each joined reward is the
 * one sent for that decision under its aggregation, so the feedback really went through the router
 * (default rewards from closed windows would also make "60 joined").
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class KafkaReplayTest {
    @Inject
    PolicyRegistry registry;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "policyrec.kafka.grace")
    java.time.Duration grace;

    /** What one replay of a partition produced. */
    record Replay(List<String> joined, Map<String, double[]> params, Map<String, PolicySnapshot> served) {
    }

    @Test
    void replayingTheTopicsGivesTheSameJoinedStream() throws Exception {
        for (String[] p : new String[][] {{"rp-earliest", "earliest"}, {"rp-sum", "sum"}, {"rp-max", "max"}}) {
            given().contentType(ContentType.JSON).body(Map.of("contextDimension", 3, "actions", 4, "batchSize", 3,
                    "rewardAggregation", p[1], "rewardWindow", "PT20S", "seed", 2))
                    .put("/policies/" + p[0]).then().statusCode(isOneOf(200, 201));
        }
        Random random = new Random(3);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String policy = List.of("rp-earliest", "rp-sum", "rp-max").get(i % 3);
            float[] x = {random.nextFloat(), random.nextFloat(), random.nextFloat()};
            ids.add(given().contentType(ContentType.JSON).body(Map.of("policy", policy, "context", x))
                    .post("/recommend").then().statusCode(200).extract().path("eventId"));
        }
        for (int i = 0; i < ids.size(); i++) {
            if (i % 4 != 3) {
                KafkaTestClient.send("policyrec.feedback", ids.get(i), "{\"reward\": " + (i % 5) + "}");
            }
            if (i % 7 == 0) {
                KafkaTestClient.send("policyrec.feedback", ids.get(i), "{\"reward\": 2.5}");
            }
        }
        // Windows of 20 s: every reward below reaches its decision in time, so each joined reward is the
        // one sent, not the default a closed window gives. Sent within a second or two on a quiet
        // machine, but 7.7 s from the first decision to the last reward with both cores busy, where
        // windows of 5 s closed on decisions 1 and 46 before their rewards came (4 of 5 runs).
        Metrics.awaitAtLeast("policyrec_feedback_routed_total", 45, 20_000);
        // 20 decisions per policy, batches of 3: six updates each once every window closed (the last two
        // decisions wait for a batch that never fills, live as in the replay).
        for (String name : POLICIES) {
            io.policyrec.testing.Poll.until(() -> registry.get(name).version() == 6, 60_000,
                    name + " learned six batches live");
        }

        List<ConsumerRecord<byte[], byte[]>> decisions = KafkaTestClient.readAll("policyrec.decisions");
        List<ConsumerRecord<byte[], byte[]>> routed = KafkaTestClient.readAll("policyrec.feedback.routed");
        Set<Integer> partitions = new HashSet<>();
        decisions.forEach(r -> partitions.add(r.partition()));
        int joinedTotal = 0;
        for (int partition : partitions) {
            Replay first = replay(partition, decisions, routed);
            Replay second = replay(partition, decisions, routed);
            assertEquals(first.joined(), second.joined(), "partition " + partition);
            for (String name : first.params().keySet()) {
                assertArrayEquals(first.params().get(name), second.params().get(name), name);
            }
            Set<String> once = new HashSet<>();
            for (String j : first.joined()) {
                assertTrue(once.add(j.substring(0, j.indexOf('='))), "joined twice: " + j);
            }
            joinedTotal += first.joined().stream().filter(j -> j.startsWith("") && ids.contains(
                    j.substring(0, j.indexOf('=')))).count();
        }
        assertEquals(60, joinedTotal, "every decision of this test is joined exactly once in a replay");
        Replay all = new Replay(new ArrayList<>(), new java.util.TreeMap<>(), new java.util.TreeMap<>());
        for (int partition : partitions) {
            Replay r = replay(partition, decisions, routed);
            all.joined().addAll(r.joined());
            all.params().putAll(r.params());
        }
        for (String name : POLICIES) {
            PolicySnapshot live = registry.get(name);
            float[] replayed = new float[all.params().get(name).length];
            for (int i = 0; i < replayed.length; i++) {
                replayed[i] = (float) all.params().get(name)[i];
            }
            assertSameWeights(live.config().layerWidths(), live.weights(), PolicyWeights.fromFlat(live.config().layerWidths(), replayed),
                    name + ": the replay's weights are the live learner's");
        }
        for (int i = 0; i < ids.size(); i++) {
            double first = i % 4 != 3 ? i % 5 : i % 7 == 0 ? 2.5 : 0.0;
            double sum = (i % 4 != 3 ? i % 5 : 0) + (i % 7 == 0 ? 2.5 : 0);
            double max = i % 4 != 3 && i % 7 == 0 ? Math.max(i % 5, 2.5) : first;
            double expected = List.of(first, sum, max).get(i % 3);
            String id = ids.get(i);
            assertTrue(all.joined().contains(id + "=" + expected), "decision " + i + " joined with reward "
                    + expected + " (" + List.of("earliest", "sum", "max").get(i % 3) + "): "
                    + all.joined().stream().filter(j -> j.startsWith(id)).toList());
        }
    }

    /**
     * A policy over action features through Kafka: its decisions are logged with their candidates,
     * and replaying the topics gives the live learner's table, bit for bit.
     */
    @Test
    void aPolicyOverActionFeaturesReplaysToTheLiveTable() throws Exception {
        String name = "rp-candidates";
        given().contentType(ContentType.JSON).body(Map.of("input", Map.of("type", "features", "bits", 6),
                "actions", Map.of("type", "features", "bits", 6), "batchSize", 3, "rewardWindow", "PT20S",
                "seed", 2)).put("/policies/" + name).then().statusCode(isOneOf(200, 201));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            List<Map<String, Object>> candidates = new ArrayList<>();
            for (int a = 0; a < 2 + i % 3; a++) {
                candidates.add(Map.of("id", "item-" + (i + a), "features", Map.of("kind", "k" + a, "price", 5 + i)));
            }
            ids.add(given().contentType(ContentType.JSON).body(Map.of("policy", name, "features",
                    Map.of("user", "u" + i % 4), "candidates", candidates)).post("/recommend").then().statusCode(200)
                    .extract().path("eventId"));
        }
        for (int i = 0; i < ids.size(); i++) {
            KafkaTestClient.send("policyrec.feedback", ids.get(i), "{\"reward\": " + (i % 2) + "}");
        }
        io.policyrec.testing.Poll.until(() -> registry.get(name).version() == 4, 30_000,
                name + " learned four batches live");
        List<ConsumerRecord<byte[], byte[]>> decisions = KafkaTestClient.readAll("policyrec.decisions");
        List<ConsumerRecord<byte[], byte[]>> routed = KafkaTestClient.readAll("policyrec.feedback.routed");
        int partition = PolicyPartitions.of(name, 2);
        assertTrue(decisions.stream().filter(r -> r.partition() == partition).map(KafkaReplayTest::decodeRecord)
                .filter(d -> d.policy().equals(name)).allMatch(d -> d.candidates() != null
                        && d.candidates().length >= 2), "every logged decision carries its candidates");
        PolicySnapshot replayed = replay(partition, decisions, routed).served().get(name);
        PolicySnapshot live = registry.get(name);
        assertEquals(live.version(), replayed.version());
        TableRows liveRows = live.candidates().table().rows();
        TableRows replayedRows = replayed.candidates().table().rows();
        for (int r = 0; r < liveRows.count(); r++) {
            assertArrayEquals(liveRows.row(r), replayedRows.row(r), name + ": row " + r + " of the replay is the live one's");
        }
        assertArrayEquals(live.candidates().table().bias(), replayed.candidates().table().bias());
        assertArrayEquals(live.candidates().table().scales(), replayed.candidates().table().scales());
    }

    /**
     * Personalizer's deferred events through Kafka: Rank, Activate and Reward over HTTP (the
     * activations and rewards written to the feedback topic, routed like any reward); only the
     * activated ones are learned from, live and in a replay of the topics alike.
     */
    @Test
    void deferredRanksAreLearnedOnlyOnceActivatedLiveAndInAReplay() throws Exception {
        String name = "rp-loop";
        given().contentType(ContentType.JSON).body(Map.of("input", Map.of("type", "features", "bits", 6),
                "actions", Map.of("type", "features", "bits", 6), "batchSize", 2, "rewardWindow", "PT20S",
                "seed", 3)).put("/policies/" + name).then().statusCode(isOneOf(200, 201));
        String api = "/loops/" + name + "/personalizer/v1.0";
        List<Map<String, Object>> actions = List.of(Map.of("id", "a", "features", List.of(Map.of("k", "a"))),
                Map.of("id", "b", "features", List.of(Map.of("k", "b"))));
        List<String> activated = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "rp-" + i;
            given().contentType(ContentType.JSON).body(Map.of("contextFeatures", List.of(Map.of("u", i % 3)),
                    "actions", actions, "eventId", id, "deferActivation", true)).post(api + "/rank").then()
                    .statusCode(201);
            if (i % 2 == 0) {
                given().contentType(ContentType.JSON).post(api + "/events/" + id + "/activate").then().statusCode(204);
                activated.add(id);
            }
            given().contentType(ContentType.JSON).body(Map.of("value", 1.0)).post(api + "/events/" + id + "/reward")
                    .then().statusCode(204);
        }
        io.policyrec.testing.Poll.until(() -> registry.get(name).version() == 2, 30_000,
                name + " learned its four activated events live");
        List<ConsumerRecord<byte[], byte[]>> decisions = KafkaTestClient.readAll("policyrec.decisions");
        List<ConsumerRecord<byte[], byte[]>> routed = KafkaTestClient.readAll("policyrec.feedback.routed");
        int partition = PolicyPartitions.of(name, 2);
        Replay replay = replay(partition, decisions, routed);
        List<String> joined = replay.joined().stream().filter(j -> j.startsWith(name + "/"))
                .map(j -> j.substring(name.length() + 1, j.indexOf('.'))).sorted().toList();
        assertEquals(activated, joined, "the replay learned the activated events, each once, and no other");
        assertEquals(registry.get(name).version(), replay.served().get(name).version());
        assertArrayEquals(registry.get(name).candidates().table().bias(),
                replay.served().get(name).candidates().table().bias());
    }

    static final List<String> POLICIES = List.of("rp-earliest", "rp-sum", "rp-max");

    static void assertSameWeights(int[] widths, PolicyWeights expected, PolicyWeights actual, String what) {
        assertEquals(expected.layers(), actual.layers(), what);
        for (int l = 0; l < expected.layers(); l++) {
            int in = widths[l];
            int out = widths[l + 1];
            for (int j = 0; j < out; j++) {
                assertEquals(expected.bias(l, j), actual.bias(l, j), what + ": bias " + l + "/" + j);
                for (int i = 0; i < in; i++) {
                    assertEquals(expected.weight(l, i, j), actual.weight(l, i, j), what + ": weight " + l + "/" + i
                            + "/" + j);
                }
            }
        }
    }

    Replay replay(int partition, List<ConsumerRecord<byte[], byte[]>> decisions,
                  List<ConsumerRecord<byte[], byte[]>> routed) {
        PartitionLearner p = new PartitionLearner(partition, new PendingBudget(1L << 30), 100_000,
                new JoinMetrics(new SimpleMeterRegistry()), d -> Optional.empty());
        List<String> joined = new ArrayList<>();
        p.observe(j -> joined.add(j.decision().eventId() + "=" + j.reward()));
        for (PolicySnapshot s : registry.all()) {
            if (PolicyPartitions.of(s.name(), 2) == partition) {
                Learner learner = Learner.create(s.config());
                p.adopt(PolicyLearning.created(s.name(), s.incarnation(), s.config(), s.createdAt(), learner, 0,
                        LearningObserver.NONE), null, 0, 0);
            }
        }
        p.positioned(0, 0);
        decisions.stream().filter(r -> r.partition() == partition)
                .forEach(r -> p.offerDecision(new LogRecord(r.offset(), r.timestamp(), r.value())));
        routed.stream().filter(r -> r.partition() == partition)
                .forEach(r -> p.offerFeedback(new LogRecord(r.offset(), r.timestamp(), r.value())));
        // The end of the stream: every feedback partition certified to far in the future (before the
        // replay's clock), as a live run that went on would have it (the routers' own certificates
        // are in the log too).
        int feedbackPartitions = routed.stream().map(r -> RouterWatermark.decode(r.value()))
                .filter(java.util.Objects::nonNull).mapToInt(RouterWatermark::feedbackPartitions).max().orElse(0);
        assertTrue(feedbackPartitions > 0, "the routers certified their partitions in the routed log");
        long end = routed.stream().filter(r -> r.partition() == partition).mapToLong(r -> r.offset() + 1).max()
                .orElse(0);
        for (int fp = 0; fp < feedbackPartitions; fp++) {
            p.offerFeedback(new LogRecord(end + fp, Long.MAX_VALUE / 8,
                    new RouterWatermark(fp, feedbackPartitions, Long.MAX_VALUE / 8).encode()));
        }
        // With the live learner's grace: windows close when every feedback partition is certified past
        // them less the grace, so a replay with another grace may close one at another place among the
        // rewards (it did when this test ran slowly enough for windows to close while rewards still came).
        p.process(Long.MAX_VALUE / 4, true, true, grace.toMillis(), 0);
        Map<String, double[]> params = new java.util.TreeMap<>();
        Map<String, PolicySnapshot> served = new java.util.TreeMap<>();
        p.policies().forEach((name, l) -> {
            params.put(name, l.learner().state().params());
            served.put(name, l.snapshot());
        });
        assertFalse(joined.isEmpty() && decisions.stream().anyMatch(r -> r.partition() == partition
                && decodePolicy(r).startsWith("rp-")), "a replay with decisions joins some");
        return new Replay(joined, params, served);
    }

    static Decision decodeRecord(ConsumerRecord<byte[], byte[]> r) {
        return DecisionCodec.decode(r.value());
    }

    static String decodePolicy(ConsumerRecord<byte[], byte[]> r) {
        Decision d = DecisionCodec.decode(r.value());
        return d.policy();
    }
}
