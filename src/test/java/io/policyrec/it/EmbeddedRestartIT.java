package io.policyrec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service, stopped and started again, keeps its policies, their learned weights and
 * their versions (embedded default: snapshots in a local folder). Also records start-up time and
 * RSS in target/startup.txt.
 */
class EmbeddedRestartIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRestartKeepsPoliciesAndVersions() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "restart-");
        Map<String, String> props = Map.of("policyrec.snapshot.dir", dir.resolve("snapshots").toString());
        Path log = dir.resolve("service.log");
        String config = "{\"contextDimension\":3,\"actions\":[\"a\",\"b\",\"c\"],\"batchSize\":1,\"seed\":9}";
        String explain = "{\"policy\":\"kept\",\"context\":[0.3,0.1,0.9],\"explain\":true}";
        String probabilitiesBefore;
        long readyFirst;
        long rssFirst;
        try (ServiceProcess service = new ServiceProcess(log, props).start()) {
            readyFirst = service.readyMillis();
            assertEquals(201, service.send("PUT", "/policies/kept", config).statusCode());
            for (int i = 0; i < 7; i++) {
                JsonNode decision = JSON.readTree(service.send("POST", "/recommend",
                        "{\"policy\":\"kept\",\"context\":[0.3,0.1,0.9]}").body());
                assertEquals(202, service.send("POST", "/feedback", "{\"eventId\":\"" + decision.get("eventId").asText()
                        + "\",\"reward\":1.0}").statusCode());
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (version(service) < 7 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(7, version(service));
            probabilitiesBefore = JSON.readTree(service.send("POST", "/recommend", explain).body())
                    .get("probabilities").toString();
            rssFirst = service.rssKb();
            int exit = service.stop();
            assertTrue(exit == 0 || exit == 143, "graceful shutdown, exit " + exit);
        }
        try (ServiceProcess again = new ServiceProcess(log, props).start()) {
            assertEquals(7, version(again), "the version survives the restart");
            JsonNode policy = JSON.readTree(again.get("/policies/kept").body());
            assertEquals(9, policy.get("config").get("seed").asLong());
            assertEquals("[\"a\",\"b\",\"c\"]", policy.get("config").get("actions").toString());
            JsonNode decision = JSON.readTree(again.send("POST", "/recommend", explain).body());
            assertEquals(7, decision.get("policyVersion").asLong());
            assertEquals(probabilitiesBefore, decision.get("probabilities").toString(), "the learned weights too");
            assertTrue(JSON.readTree(again.get("/policies").body()).toString().contains("\"default\""));
            Files.writeString(Path.of("target", "startup.txt"), "ready after start (ms): " + readyFirst + ", "
                    + again.readyMillis() + "\nRSS after 7 updates (KB): " + rssFirst + "\nRSS after restart (KB): "
                    + again.rssKb() + "\n");
        }
    }

    static long version(ServiceProcess service) throws Exception {
        return JSON.readTree(service.get("/policies/kept").body()).get("version").asLong();
    }
}
