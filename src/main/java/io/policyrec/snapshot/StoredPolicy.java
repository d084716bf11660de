package io.policyrec.snapshot;

import io.policyrec.learning.LearnerState;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.PolicyWeights;
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

    /** What serving needs of this snapshot: its weights as floats, no learner. */
    public PolicySnapshot served() {
        double[] params = learner.params();
        float[] flat = new float[params.length];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) params[i];
        }
        return new PolicySnapshot(name, incarnation, config, version, updates(),
                config.hashed() ? PolicyWeights.hashedFromFlat(config.layerWidths(), flat, learner.featureScales())
                        : PolicyWeights.fromFlat(config.layerWidths(), flat), learner.lambda(), createdAt);
    }
}
