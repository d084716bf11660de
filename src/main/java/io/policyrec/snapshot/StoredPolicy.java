package io.policyrec.snapshot;

import io.policyrec.learning.LearnerState;
import io.policyrec.policy.PolicyConfig;
import java.util.Map;

/**
 * Everything needed to serve a policy and to continue learning it exactly: the unit the snapshot
 * stores keep, one per published version.
 *
 * @param createdAt when this incarnation of the policy was created (epoch ms)
 * @param savedAt   when this snapshot was taken (epoch ms)
 * @param positions where the learner resumes its input streams (empty without Kafka)
 * @param join      the reward join's state for this policy at those positions
 */
public record StoredPolicy(String name, long incarnation, PolicyConfig config, long version, long createdAt,
                           long savedAt, double meanEntropy, LearnerState learner, Map<String, Long> positions,
                           JoinState join) {
    public StoredPolicy {
        positions = Map.copyOf(positions);
    }

    public long updates() {
        return learner.updates();
    }
}
