package io.policyrec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.testing.KafkaBroker;
import io.policyrec.testing.Poll;
import io.policyrec.testing.RedisCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The snapshot store on a real Redis Cluster (three masters, started here from redis-server in
 * cluster mode): A learns from Kafka and saves, B serves what A saves, with one policy on each
 * master. Snapshots, replicas, a master restarted while learning goes on, rollback and delete,
 * and a fresh instance loading every policy from the cluster.
 */
class RedisClusterIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void snapshotsReplicasRollbackAndAMasterRestartOnACluster() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "cluster-");
        try (KafkaBroker kafka = new KafkaBroker(dir.resolve("kafka")).start();
             RedisCluster cluster = new RedisCluster(dir.resolve("redis"), 3).start()) {
            Map<String, String> common = new HashMap<>(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "quarkus.redis.hosts", cluster.hosts(), "quarkus.redis.client-type", "cluster",
                    "policyrec.kafka.partitions", "2", "policyrec.kafka.feedback-partitions", "2",
                    "policyrec.snapshot.every-updates", "1", "policyrec.snapshot.interval", "PT1S"));
            Map<String, String> a = new HashMap<>(common);
            a.put("policyrec.instance-id", "learner-a");
            Map<String, String> b = new HashMap<>(common);
            b.putAll(Map.of("policyrec.instance-id", "server-b", "policyrec.kafka.learner-enabled", "false",
                    "policyrec.kafka.router-enabled", "false", "policyrec.snapshot.dir", dir.resolve("b").toString()));
            // One policy on each master: a policy's keys share the slot of its name's hash tag.
            String[] policies = new String[cluster.size()];
            for (int i = 0; java.util.Arrays.asList(policies).contains(null); i++) {
                int master = cluster.masterOf("policyrec:{c" + i + "}:latest");
                policies[master] = policies[master] == null ? "c" + i : policies[master];
            }
            long rolledBackTo;
            try (ServiceProcess learner = new ServiceProcess(dir.resolve("a.log"), a).start();
                 ServiceProcess server = new ServiceProcess(dir.resolve("b.log"), b).start()) {
                for (String p : policies) {
                    assertEquals(201, server.send("PUT", "/policies/" + p, "{\"contextDimension\":3,\"actions\":4,"
                            + "\"batchSize\":1,\"seed\":3}").statusCode(), p + " created on the serving instance");
                }
                learn(server, policies, 4);
                for (String p : policies) {
                    ReplicaIT.awaitVersion(server, p, 4);
                    assertEquals(4, ReplicaIT.version(learner, p), "A learned every decision of " + p);
                }
                for (int m = 0; m < cluster.size(); m++) {
                    assertTrue(cluster.keys(m) >= 6, "master " + m + " holds its policy's keys: " + cluster.keys(m));
                }

                // Every master restarts in turn (from its append-only file) while learning goes on: the
                // node each instance's announcement subscription was on is among them.
                for (int m = 0; m < cluster.size(); m++) {
                    cluster.restart(m);
                }
                learn(server, policies, 4);
                for (String p : policies) {
                    ReplicaIT.awaitVersion(server, p, 8);
                }
                List<Long> kept = versions(server, policies[1]);
                assertTrue(kept.contains(4L) && kept.contains(8L), "versions from before and after the restart of "
                        + "the master holding " + policies[1] + ": " + kept);

                // Rollback on B to a retained version (the publisher may skip a version a newer one replaced
                // before it was written). A may not have subscribed again yet: it finds the rollback by the
                // policy's rollback marker if it did not hear it, and learns on from it; B serves that.
                List<Long> before = versions(server, policies[0]);
                long target = before.stream().filter(v -> v > 0 && v < 8).min(Long::compare).orElse(0L);
                var rollback = server.send("POST", "/policies/" + policies[0] + "/rollback",
                        "{\"version\":" + target + "}");
                assertEquals(200, rollback.statusCode(), rollback.body() + " " + before);
                Poll.until(() -> ReplicaIT.version(learner, policies[0]) == target, 30_000, "A serves version "
                        + target + " of " + policies[0] + " after the rollback on B");
                assertEquals(before.stream().filter(v -> v <= target).toList(), versions(server, policies[0]),
                        "the versions after " + target + " are gone");
                rolledBackTo = target;
                learn(server, new String[] {policies[0]}, 4);
                ReplicaIT.awaitVersion(server, policies[0], target + 4);
                assertEquals(target + 4, ReplicaIT.version(learner, policies[0]), "A learned on from the rollback");

                // Delete on B: gone on A too.
                assertEquals(204, server.send("DELETE", "/policies/" + policies[2], "").statusCode());
                Poll.until(() -> learner.get("/policies/" + policies[2]).statusCode() == 404, 30_000,
                        policies[2] + " deleted on A");
            }
            // A fresh instance loads every policy from the cluster, as it was left.
            try (ServiceProcess fresh = new ServiceProcess(dir.resolve("fresh.log"), b).start()) {
                assertEquals(rolledBackTo + 4, ReplicaIT.version(fresh, policies[0]));
                assertEquals(8, ReplicaIT.version(fresh, policies[1]));
                assertEquals(404, fresh.get("/policies/" + policies[2]).statusCode());
            }
        }
    }

    /** Decisions on the serving instance, each rewarded, for every policy. */
    static void learn(ServiceProcess server, String[] policies, int decisions) throws Exception {
        for (int i = 0; i < decisions; i++) {
            for (String p : policies) {
                JsonNode d = JSON.readTree(server.send("POST", "/recommend",
                        "{\"policy\":\"" + p + "\",\"context\":[0.1," + i + ",0.5]}").body());
                assertTrue(d.has("eventId"), "a decision: " + d);
                assertEquals(202, server.send("POST", "/feedback", "{\"eventId\":\"" + d.get("eventId").asText()
                        + "\",\"reward\":" + (i % 2) + "}").statusCode());
            }
        }
    }

    static List<Long> versions(ServiceProcess s, String policy) throws Exception {
        List<Long> out = new ArrayList<>();
        for (JsonNode v : JSON.readTree(s.get("/policies/" + policy + "/snapshots").body())) {
            out.add(v.get("version").asLong());
        }
        return out;
    }
}
