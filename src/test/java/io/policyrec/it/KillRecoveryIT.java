package io.policyrec.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.snapshot.SnapshotCodec;
import io.policyrec.snapshot.StoredPolicy;
import io.policyrec.testing.KafkaBroker;
import io.policyrec.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Recovery that loses nothing: the learning process is killed (SIGKILL, no final snapshot) at
 * several points while it learns a fixed log of decisions and rewards; each restart resumes from
 * the latest snapshot and the positions in it. With fixed batch boundaries the final weights are
 * those of a run that was never interrupted, bit for bit, and every decision was learned from once.
 */
class KillRecoveryIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int DECISIONS = 300;
    static final int BATCH = 5;

    @Test
    void killedLearnersResumeExactly() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "kill-");
        try (KafkaBroker kafka = new KafkaBroker(dir.resolve("kafka")).start();
             RedisServerProcess redis = new RedisServerProcess(dir.resolve("redis")).start()) {
            Map<String, String> common = new HashMap<>(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "quarkus.redis.hosts", redis.url(), "policyrec.kafka.partitions", "2",
                    "policyrec.kafka.feedback-partitions", "2", "policyrec.snapshot.every-updates", "5",
                    "policyrec.snapshot.interval", "PT0.2S", "policyrec.learner.max-batch-delay", "PT0S",
                    "policyrec.kafka.grace", "PT0.05S"));
            Map<String, String> serving = new HashMap<>(common);
            serving.putAll(Map.of("policyrec.kafka.learner-enabled", "false", "policyrec.instance-id", "gen",
                    "policyrec.snapshot.dir", dir.resolve("gen").toString()));
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            try (ServiceProcess gen = new ServiceProcess(dir.resolve("gen.log"), serving).start();
                 KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                         new StringSerializer())) {
                assertEquals(201, gen.send("PUT", "/policies/killed", "{\"contextDimension\":4,\"actions\":3,"
                        + "\"batchSize\":" + BATCH + ",\"rewardWindow\":\"PT120S\",\"seed\":11}").statusCode());
                Random random = new Random(7);
                List<String> ids = new ArrayList<>();
                Map<String, String> run = learnerProps(dir, common, "killed");
                Path log = dir.resolve("killed.log");
                // The log grows in three parts while the learner runs; it is killed after the first two.
                int rewarded = 0;
                for (int part = 0; part < 3; part++) {
                    ids.addAll(decide(gen, random, 100));
                    int upTo = part == 2 ? ids.size() : ids.size() - 13;
                    for (int i = rewarded; i < upTo; i++) {
                        producer.send(new ProducerRecord<>("policyrec.feedback", ids.get(i),
                                "{\"reward\": " + (i % 5 == 0 ? 1.0 : 0.25) + "}"));
                        if (i % 11 == 0) {
                            producer.send(new ProducerRecord<>("policyrec.feedback", ids.get(i), "{\"reward\": 9}"));
                        }
                    }
                    producer.flush();
                    rewarded = upTo;
                    ServiceProcess learner = new ServiceProcess(log, run).start();
                    awaitSteady(learner, rewarded / BATCH);
                    if (part < 2) {
                        Thread.sleep(500);
                        learner.kill();
                    } else {
                        learner.stop();
                    }
                }
                StoredPolicy interrupted = latest(log, run);

                // The uninterrupted run over the same, now complete, log from version 0.
                assertEquals(200, gen.send("POST", "/policies/killed/rollback", "{\"version\":0}").statusCode());
                Map<String, String> ref = learnerProps(dir, common, "reference");
                try (ServiceProcess learner = new ServiceProcess(dir.resolve("reference.log"), ref).start()) {
                    awaitSteady(learner, DECISIONS / BATCH);
                    learner.stop();
                }
                StoredPolicy reference = latest(dir.resolve("reference.log"), ref);

                assertEquals(DECISIONS / BATCH, reference.updates(), "every decision was learned from once");
                assertEquals(reference.updates(), interrupted.updates(), "none lost, none twice after two kills");
                assertEquals(0, interrupted.join().batch().size());
                assertArrayEquals(reference.learner().params(), interrupted.learner().params(),
                        "the weights after recovery are those of the uninterrupted run, bit for bit");
                assertArrayEquals(reference.learner().optimizerState(), interrupted.learner().optimizerState());
                String restarts = Files.readString(log);
                assertTrue(restarts.contains("from decision 8") || restarts.contains("from decision 1")
                        || restarts.contains("from decision 2"), "restarts resumed from snapshot positions");
            }
        }
    }

    static Map<String, String> learnerProps(Path dir, Map<String, String> common, String run) {
        Map<String, String> props = new HashMap<>(common);
        props.putAll(Map.of("policyrec.instance-id", run, "policyrec.kafka.router-enabled", "false",
                "policyrec.kafka.learner-group", "learners-" + run, "policyrec.snapshot.dir",
                dir.resolve(run).toString()));
        return props;
    }

    static List<String> decide(ServiceProcess gen, Random random, int n) throws Exception {
        return decide(gen, "killed", random, n);
    }

    static List<String> decide(ServiceProcess gen, String policy, Random random, int n) throws Exception {
        double before = metric(gen, "policyrec_decisions_logged_total");
        StringBuilder body = new StringBuilder("{\"policy\":\"" + policy + "\",\"contexts\":[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append('[').append(random.nextFloat()).append(',')
                    .append(random.nextFloat()).append(',').append(random.nextFloat()).append(',')
                    .append(random.nextFloat()).append(']');
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode d : JSON.readTree(gen.send("POST", "/recommend/batch", body.append("]}").toString()).body())) {
            ids.add(d.get("eventId").asText());
        }
        awaitMetric(gen, "policyrec_decisions_logged_total", before + ids.size());
        return ids;
    }

    /** The latest snapshot, read through a short-lived instance that does not learn. */
    static StoredPolicy latest(Path log, Map<String, String> props) throws Exception {
        Map<String, String> reader = new HashMap<>(props);
        reader.put("policyrec.kafka.learner-enabled", "false");
        try (ServiceProcess s = new ServiceProcess(log, reader).start()) {
            JsonNode versions = JSON.readTree(s.get("/policies/killed/snapshots").body());
            long latest = versions.get(0).get("version").asLong();
            return SnapshotCodec.decode(s.getBytes("/policies/killed/snapshots/" + latest));
        }
    }

    /** Waits for the version to reach the target and stay there (everything readable was learned). */
    static void awaitSteady(ServiceProcess s, long target) throws Exception {
        awaitVersion(s, target);
        long v = -1;
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() - since < 1000) {
            long now = JSON.readTree(s.get("/policies/killed").body()).get("version").asLong();
            if (now != v) {
                v = now;
                since = System.currentTimeMillis();
            }
            Thread.sleep(50);
        }
    }

    static double metric(ServiceProcess s, String sample) throws Exception {
        for (String line : s.get("/q/metrics").body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }

    static void awaitVersion(ServiceProcess s, long version) throws Exception {
        awaitVersion(s, "killed", version);
    }

    static void awaitVersion(ServiceProcess s, String policy, long version) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            if (JSON.readTree(s.get("/policies/" + policy).body()).get("version").asLong() >= version) {
                return;
            }
            Thread.sleep(50);
        }
        StringBuilder metrics = new StringBuilder();
        for (String line : s.get("/q/metrics").body().split("\n")) {
            if (line.startsWith("policyrec_")) {
                metrics.append(line).append('\n');
            }
        }
        throw new AssertionError("version " + version + " of " + policy + " not reached; at "
                + JSON.readTree(s.get("/policies/" + policy).body()).get("version").asLong() + "\n" + metrics);
    }

    static void awaitMetric(ServiceProcess s, String sample, double atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : s.get("/q/metrics").body().split("\n")) {
                if (line.startsWith(sample + " ") && Double.parseDouble(line.substring(sample.length() + 1)
                        .trim()) >= atLeast) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(sample + " did not reach " + atLeast);
    }
}
