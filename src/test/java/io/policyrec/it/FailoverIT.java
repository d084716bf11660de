package io.policyrec.it;

import static io.policyrec.it.KillRecoveryIT.JSON;
import static io.policyrec.it.KillRecoveryIT.metric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.snapshot.SnapshotCodec;
import io.policyrec.snapshot.StoredPolicy;
import io.policyrec.testing.KafkaBroker;
import io.policyrec.testing.Poll;
import io.policyrec.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * A failover loses no reward: two instances learn four policies from Kafka (each instance one
 * partition of decisions and one of feedback to route); one is SIGKILLed mid-stream while decisions
 * and rewards keep coming, and restarted after longer than the reward window. Every decision is
 * learned with its own reward (none with the default, none counted late), and the weights equal,
 * bit for bit, those of one instance learning the whole log afterwards from version 0. A third
 * instance joins later in the stream (a rebalance of every partition) and changes nothing of that.
 */
class FailoverIT {
    static final int PER_ROUND = 5;
    static final String HELD = "policyrec_feedback_held_total";

    /** Four policy names, two learned on each of the two partitions. */
    static List<String> policies() {
        List<String> names = new ArrayList<>();
        int[] perPartition = new int[2];
        for (int i = 0; names.size() < 4; i++) {
            String name = "fo" + i;
            int p = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % 2;
            if (perPartition[p] < 2) {
                perPartition[p]++;
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void aKilledInstanceLosesNoRewardAndTheWeightsAreThoseOfAnUninterruptedRun() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "failover-");
        try (KafkaBroker kafka = new KafkaBroker(dir.resolve("kafka")).start();
             RedisServerProcess redis = new RedisServerProcess(dir.resolve("redis")).start()) {
            Map<String, String> common = KillRecoveryIT.fixedBatches(kafka, redis, "PT0.2S");
            // Each step's decisions, as they joined, and its loss: what a failure below compares between the runs.
            common.put("quarkus.log.category.\"io.policyrec.feedback.PolicyLearning\".level", "DEBUG");
            Map<String, String> serving = new HashMap<>(common);
            serving.putAll(Map.of("policyrec.kafka.learner-enabled", "false", "policyrec.kafka.router-enabled", "false",
                    "policyrec.instance-id", "gen", "policyrec.snapshot.dir", dir.resolve("gen").toString()));
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            List<String> names = policies();
            try (ServiceProcess gen = new ServiceProcess(dir.resolve("gen.log"), serving).start();
                 KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                         new StringSerializer())) {
                for (int i = 0; i < names.size(); i++) {
                    assertEquals(201, gen.send("PUT", "/policies/" + names.get(i), "{\"contextDimension\":4,"
                            + "\"actions\":3,\"batchSize\":5,\"rewardWindow\":\"PT2S\",\"seed\":" + i + "}").statusCode());
                }
                Map<String, String> a = instance(dir, common, "a");
                Map<String, String> b = instance(dir, common, "b");
                ServiceProcess liveA = new ServiceProcess(dir.resolve("a.log"), a).start();
                ServiceProcess liveB = new ServiceProcess(dir.resolve("b.log"), b).start();
                awaitLog(dir.resolve("b.log"), "Learning partition");
                awaitLog(dir.resolve("a.log"), "Learning partition");

                Random random = new Random(5);
                Traffic traffic = new Traffic(gen, producer, names, random);
                while (traffic.rounds < 10) {
                    traffic.round();
                }
                liveB.kill();
                long killedAt = System.currentTimeMillis();
                // Rounds go on while B is down, until it has been down twice the reward window.
                while (traffic.rounds < 20 || System.currentTimeMillis() - killedAt < 4_000) {
                    traffic.round();
                }
                long downMillis = System.currentTimeMillis() - killedAt;
                liveB = new ServiceProcess(dir.resolve("b.log"), b).start();
                for (int k = 0; k < 4; k++) {
                    traffic.round();
                }
                // A third instance joins mid-stream: the group rebalances every partition.
                long assignedBeforeC = assignments(dir);
                ServiceProcess liveC = new ServiceProcess(dir.resolve("c.log"), instance(dir, common, "c")).start();
                for (int k = 0; k < 6; k++) {
                    traffic.round();
                }
                int sent = traffic.sent;
                long updates = traffic.rounds * PER_ROUND / 5;
                Map<String, StoredPolicy> live = new LinkedHashMap<>();
                for (String name : names) {
                    ReplicaIT.awaitVersion(liveA, name, updates);
                    live.put(name, latest(liveA, name));
                }
                assertEquals(0.0, metric(liveA, "policyrec_decisions_joined_total{outcome=\"default\"}"),
                        "the instance that stayed up closed no window while B's rewards waited unrouted");
                assertEquals(0.0, metric(liveA, "policyrec_feedback_rejected_total{reason=\"late\"}"));
                assertEquals(0.0, metric(liveC, "policyrec_decisions_joined_total{outcome=\"default\"}"),
                        "nor did the instance that joined");
                assertTrue(assignments(dir) > assignedBeforeC, "the join reassigned partitions");
                String held = "rewards held for their decision: A " + metric(liveA, HELD) + ", B (since its restart) "
                        + metric(liveB, HELD) + ", C " + metric(liveC, HELD);
                liveA.stop();
                liveB.stop();
                liveC.stop();

                // One instance learning the whole log from version 0, never interrupted.
                // Version 0 is the last snapshot taken before a policy's first update: the decisions in
                // its partial batch were joined before it, so the run from it does not join them again.
                int joinedBeforeVersion0 = 0;
                // The live run's versions, kept for a diagnosis: the rollback below drops them from the store.
                Map<String, Map<Long, StoredPolicy>> liveHistory = new HashMap<>();
                for (String name : names) {
                    liveHistory.put(name, history(gen, name));
                }
                for (String name : names) {
                    assertEquals(200, gen.send("POST", "/policies/" + name + "/rollback", "{\"version\":0}")
                            .statusCode());
                    joinedBeforeVersion0 += SnapshotCodec.decode(gen.getBytes("/policies/" + name + "/snapshots/0"))
                            .join().batch().size();
                }
                Map<String, String> ref = instance(dir, common, "reference");
                ref.put("policyrec.kafka.router-enabled", "false");
                ref.put("policyrec.kafka.learner-group", "reference");
                try (ServiceProcess reference = new ServiceProcess(dir.resolve("reference.log"), ref).start()) {
                    for (String name : names) {
                        ReplicaIT.awaitVersion(reference, name, updates);
                    }
                    String counters = reference.get("/q/metrics").body().lines()
                            .filter(l -> l.startsWith("policyrec_decisions_") || l.startsWith("policyrec_feedback_"))
                            .collect(java.util.stream.Collectors.joining("\n"));
                    assertEquals(sent - joinedBeforeVersion0,
                            metric(reference, "policyrec_decisions_joined_total{outcome=\"rewarded\"}"),
                            "every decision joined with its own reward:\n" + counters);
                    Files.writeString(Path.of("target", "failover.txt"), sent + " decisions, B down " + downMillis
                            + " ms (window 2 s); " + held + "; the run from version 0 (" + joinedBeforeVersion0 + " joined before it):\n"
                            + counters + "\n");
                    assertEquals(0.0, metric(reference, "policyrec_decisions_joined_total{outcome=\"default\"}"));
                    assertEquals(0.0, metric(reference, "policyrec_feedback_rejected_total{reason=\"late\"}"));
                    for (String name : names) {
                        StoredPolicy uninterrupted = latest(reference, name);
                        assertEquals(updates, uninterrupted.updates(), name);
                        assertEquals(updates, live.get(name).updates(), name);
                        Map<Long, StoredPolicy> referenceHistory = history(gen, name);
                        String diverged = divergence(liveHistory.get(name), referenceHistory)
                                + firstDifferent(liveHistory.get(name), referenceHistory)
                                        .map(u -> "; its step in each run:\n" + stepLines(dir, name, u)).orElse("");
                        Files.writeString(Path.of("target", "failover.txt"), name + ": " + diverged + "\n",
                                java.nio.file.StandardOpenOption.APPEND);
                        java.util.function.Supplier<String> why = () -> held + "; " + diverged;
                        assertArrayEquals(uninterrupted.learner().params(), live.get(name).learner().params(),
                                () -> name + ": the weights after the failover are those of the uninterrupted run; "
                                        + why.get());
                        assertArrayEquals(uninterrupted.learner().optimizerState(),
                                live.get(name).learner().optimizerState(), () -> name + ": " + why.get());
                    }
                }
            }
        }
    }

    /** Rounds of decisions, PER_ROUND per policy, each followed by its rewards (as fast as the service logs them). */
    static final class Traffic {
        final ServiceProcess gen;
        final KafkaProducer<String, String> producer;
        final List<String> names;
        final Random random;
        int rounds;
        int sent;

        Traffic(ServiceProcess gen, KafkaProducer<String, String> producer, List<String> names, Random random) {
            this.gen = gen;
            this.producer = producer;
            this.names = names;
            this.random = random;
        }

        void round() throws Exception {
            for (String name : names) {
                for (String id : KillRecoveryIT.decide(gen, name, random, PER_ROUND)) {
                    producer.send(new ProducerRecord<>("policyrec.feedback", id,
                            "{\"reward\": " + (sent % 3 == 0 ? 1.0 : 0.25) + "}"));
                    sent++;
                }
            }
            producer.flush();
            rounds++;
        }
    }

    static Map<String, String> instance(Path dir, Map<String, String> common, String id) {
        Map<String, String> props = new HashMap<>(common);
        props.putAll(Map.of("policyrec.instance-id", id, "policyrec.kafka.learner-group", "live",
                "policyrec.snapshot.dir", dir.resolve(id).toString()));
        return props;
    }

    static StoredPolicy latest(ServiceProcess s, String name) throws Exception {
        JsonNode versions = JSON.readTree(s.get("/policies/" + name + "/snapshots").body());
        long latest = versions.get(0).get("version").asLong();
        return SnapshotCodec.decode(s.getBytes("/policies/" + name + "/snapshots/" + latest));
    }

    /** A policy's stored versions by update count (empty when they cannot be read). */
    static Map<Long, StoredPolicy> history(ServiceProcess s, String name) {
        Map<Long, StoredPolicy> byUpdates = new java.util.TreeMap<>();
        try {
            for (JsonNode v : JSON.readTree(s.get("/policies/" + name + "/snapshots").body())) {
                StoredPolicy p = SnapshotCodec.decode(s.getBytes("/policies/" + name + "/snapshots/"
                        + v.get("version").asLong()));
                byUpdates.putIfAbsent(p.updates(), p);
            }
        } catch (Exception e) {
            byUpdates.clear();
        }
        return byUpdates;
    }

    /** Where two runs began to differ: the first update count at which both stored weights that differ. */
    static String divergence(Map<Long, StoredPolicy> live, Map<Long, StoredPolicy> reference) {
        return firstDifferent(live, reference).map(u -> "first different at " + u + " updates: live "
                + describe(live.get(u)) + ", reference " + describe(reference.get(u)) + "; live versions by updates "
                + live.keySet() + ", reference " + reference.keySet())
                .orElse("no stored version with the same update count differs (live " + live.keySet()
                        + ", reference " + reference.keySet() + ")");
    }

    static java.util.Optional<Long> firstDifferent(Map<Long, StoredPolicy> live, Map<Long, StoredPolicy> reference) {
        for (Map.Entry<Long, StoredPolicy> e : live.entrySet()) {
            StoredPolicy r = reference.get(e.getKey());
            if (r != null && !java.util.Arrays.equals(r.learner().params(), e.getValue().learner().params())) {
                return java.util.Optional.of(e.getKey());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The step to the given update count as each instance's log has it (PolicyLearning's debug line:
     * the decision offsets in the order they joined, the mean reward, the loss), and the step before it.
     */
    static String stepLines(Path dir, String name, long update) {
        StringBuilder out = new StringBuilder();
        for (String log : List.of("a.log", "b.log", "c.log", "reference.log")) {
            try {
                Files.readString(dir.resolve(log)).lines()
                        .filter(l -> l.contains("Step of " + name + " (") && (l.contains("to update " + update + ":")
                                || l.contains("to update " + (update - 1) + ":")))
                        .forEach(l -> out.append(log).append(": ").append(l.substring(l.indexOf("Step of "))).append('\n'));
            } catch (java.io.IOException e) {
                out.append(log).append(": unreadable (").append(e.getMessage()).append(")\n");
            }
        }
        return out.toString();
    }

    private static String describe(StoredPolicy s) {
        return "v" + s.version() + " (positions " + s.positions() + ", batch " + s.join().batch() + ", pending "
                + s.join().pending().size() + ", orphans " + s.join().orphans().size() + ")";
    }

    /** Partitions taken up for learning so far, by every instance (each assignment logs one line). */
    static long assignments(Path dir) throws Exception {
        long n = 0;
        for (String log : List.of("a.log", "b.log", "c.log")) {
            Path f = dir.resolve(log);
            if (Files.exists(f)) {
                n += Files.readString(f).lines().filter(l -> l.contains("Learning partition")).count();
            }
        }
        return n;
    }

    static void awaitLog(Path log, String text) throws Exception {
        Poll.until(() -> Files.readString(log).contains(text), 60_000, "'" + text + "' in " + log);
    }
}
