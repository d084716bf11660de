package io.policyrec.snapshot;

import io.policyrec.learning.LearnerState;
import io.policyrec.policy.PolicyConfig;
import java.util.Map;

/**
 * Everything needed to serve a policy and to continue learning it exactly: the unit the snapshot
 * stores keep, one per published version.
 *
 * @param positions where the learner resumes its input streams (empty without Kafka)
 */
public record StoredPolicy(String name, long incarnation, PolicyConfig config, long version, long createdAt,
                           double meanEntropy, LearnerState learner, Map<String, Long> positions) {
    public StoredPolicy {
        positions = Map.copyOf(positions);
    }

    public long updates() {
        return learner.updates();
    }
}
