package io.policyrec.feedback;

import io.quarkus.test.junit.QuarkusTest;

/** Rollback and delete with the embedded learning loop learning the policy. */
@QuarkusTest
class EmbeddedPolicyLifecycleTest extends PolicyLifecycleChecks {
}
