package io.policyrec.feedback;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.isOneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.testing.Metrics;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle paths that drifted apart when the embedded loop and the Kafka learner each had
 * their own copy: a rollback and a delete of a policy that is being learned write what is served
 * exactly once, and the right incarnation is served afterwards. Run in both modes by subclasses.
 */
public abstract class PolicyLifecycleChecks {
    static final float[] X = {0.3f, -0.2f, 0.9f};

    @Inject
    PolicyRegistry registry;

    private PolicyRegistry.Listener listener;

    @AfterEach
    void stopWatching() {
        if (listener != null) {
            registry.unlisten(listener);
        }
    }

    /** Every write of what is served for one policy, in order (null for a removal). */
    private List<PolicySnapshot> watch(String name) {
        List<PolicySnapshot> writes = Collections.synchronizedList(new ArrayList<>());
        listener = (n, served) -> {
            if (n.equals(name)) {
                writes.add(served);
            }
        };
        registry.listen(listener);
        return writes;
    }

    private static void create(String name) {
        given().contentType(ContentType.JSON).body(Map.of("contextDimension", 3, "actions", 3, "batchSize", 1,
                "seed", 11)).put("/policies/" + name).then().statusCode(isOneOf(200, 201));
    }

    /** Learns from n rewarded decisions (one update each) and waits until all are served. */
    private void learn(String name, int n) {
        long before = registry.get(name).version();
        for (int i = 0; i < n; i++) {
            String id = given().contentType(ContentType.JSON).body(Map.of("policy", name, "context", X))
                    .post("/recommend").then().statusCode(200).extract().path("eventId");
            given().contentType(ContentType.JSON).body(Map.of("eventId", id, "reward", 1.0)).post("/feedback")
                    .then().statusCode(202);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (registry.get(name).version() < before + n) {
            assertTrue(System.currentTimeMillis() < deadline, "the learner did not apply " + n + " rewards in 30 s");
            Metrics.sleep(20);
        }
    }

    @Test
    void aRollbackOfALearnedPolicyIsServedWithOneWrite() {
        String name = "lifecycle-rollback";
        create(name);
        learn(name, 3);
        long incarnation = registry.get(name).incarnation();
        List<PolicySnapshot> writes = watch(name);

        given().contentType(ContentType.JSON).body(Map.of("version", 0)).post("/policies/" + name + "/rollback")
                .then().statusCode(200).body("version", equalTo(0));

        assertEquals(1, writes.size(), "a rollback writes what is served once: " + writes);
        assertEquals(0, writes.get(0).version());
        PolicySnapshot served = registry.get(name);
        assertEquals(0, served.version(), "the rolled-back version is served");
        assertEquals(incarnation, served.incarnation(), "the same incarnation is served");
        // The learner continues from the rolled-back weights: the next update is version 1.
        learn(name, 1);
        assertEquals(1, registry.get(name).version());
    }

    @Test
    void aDeleteRemovesOnceAndARecreatedPolicyIsANewIncarnation() {
        String name = "lifecycle-delete";
        create(name);
        learn(name, 2);
        long incarnation = registry.get(name).incarnation();
        List<PolicySnapshot> writes = watch(name);

        given().delete("/policies/" + name).then().statusCode(204);

        assertEquals(1, writes.size(), "a delete writes what is served once: " + writes);
        assertNull(writes.get(0), "the write is the removal");
        assertNull(registry.get(name), "nothing is served after a delete");
        given().get("/policies/" + name).then().statusCode(404);

        create(name);
        assertEquals(2, writes.size(), "creating it again writes once: " + writes);
        PolicySnapshot served = registry.get(name);
        assertNotEquals(incarnation, served.incarnation(), "a new incarnation is served");
        assertEquals(0, served.version());
        learn(name, 1);
        assertEquals(served.incarnation(), registry.get(name).incarnation(), "the new incarnation is learned");
    }
}
