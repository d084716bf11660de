package io.policyrec.feedback.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decision log's accounting at shutdown; no broker is needed, as nothing is sent. */
class KafkaDecisionLogTest {

    @Test
    void aDecisionRecordedAfterCloseIsCountedAsDropped() {
        // A port nothing listens on: the producer never connects, and nothing here waits for it.
        KafkaSettings settings = new KafkaSettings(Map.of("bootstrap.servers", "localhost:1"), "decisions",
                "feedback", "routed", "dlq", 1, 1, (short) 1, "learners", "routers", 16, Duration.ofSeconds(1), 1.0,
                false, "test", false, false, Duration.ofSeconds(10), Duration.ofSeconds(1), 10);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KafkaDecisionLog log = new KafkaDecisionLog(settings, meters);
        log.close();
        log.record(new Decision("e-1", "p", 1, 0, 0, Context.dense(new float[] {0f}), null, new int[] {0},
                new double[] {1.0}));
        assertEquals(1.0, meters.get("policyrec_decisions_dropped_total").counter().count(),
                "delivered + dropped = decisions made: one made after the sender's last look is dropped, not lost");
        assertEquals(0, meters.get("policyrec_decision_log_queue").gauge().value(), "nothing left behind");
        // The gauge holds the queue weakly: the log stays reachable until it has been read.
        java.lang.ref.Reference.reachabilityFence(log);
    }
}
