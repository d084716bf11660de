package io.policyrec.feedback.kafka;

import io.policyrec.testing.KafkaProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Rollback and delete with a live Kafka learner learning the policy (this instance owns every partition). */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class KafkaPolicyLifecycleTest extends io.policyrec.feedback.PolicyLifecycleChecks {
}
