package io.policyrec.snapshot;

import io.policyrec.learning.LearnerState;
import io.policyrec.learning.PolicyNetwork;
import io.policyrec.learning.TwoTowerLearner;
import io.policyrec.policy.CandidateWeights;
import io.policyrec.policy.HashedTable;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.PolicyWeights;
import io.policyrec.policy.TableRows;
import java.util.Arrays;
import java.util.Map;

/**
 * Everything needed to serve a policy and to continue learning it exactly: the unit the snapshot
 * stores keep, one per published version.
 *
 * @param createdAt when this incarnation of the policy was created (epoch ms)
 * @param savedAt   when this snapshot was taken (epoch ms)
 * @param positions where the learner resumes its input streams (empty without Kafka)
 * @param join      the reward join's state for this policy at those positions
 * @param rollbacks how many rollbacks of the policy (its store's count, {@link Announcement#rollbacks})
 *                  these weights descend from: the count a store read with them, or a rollback's own
 *                  count once applied; a learner's snapshot carries its learner's, so that a store can
 *                  refuse one made before a rollback that lands after it. Not part of the stored bytes
 *                  (the store knows its count); 0 where no rollback is known
 */
public record StoredPolicy(String name, long incarnation, PolicyConfig config, long version, long createdAt,
                           long savedAt, double meanEntropy, LearnerState learner, Map<String, Long> positions,
                           JoinState join, long rollbacks) {
    public StoredPolicy {
        positions = Map.copyOf(positions);
    }

    /** With no rollback known (as decoded from stored bytes). */
    public StoredPolicy(String name, long incarnation, PolicyConfig config, long version, long createdAt,
                        long savedAt, double meanEntropy, LearnerState learner, Map<String, Long> positions,
                        JoinState join) {
        this(name, incarnation, config, version, createdAt, savedAt, meanEntropy, learner, positions, join, 0);
    }

    /** The same snapshot, known to descend from this many rollbacks. */
    public StoredPolicy withRollbacks(long count) {
        return new StoredPolicy(name, incarnation, config, version, createdAt, savedAt, meanEntropy, learner,
                positions, join, count);
    }

    public long updates() {
        return learner.updates();
    }

    /** What serving needs of this snapshot: its weights as floats, no learner. */
    public PolicySnapshot served() {
        if (config.candidates()) {
            return new PolicySnapshot(name, incarnation, config, version, updates(), null, learner.lambda(), createdAt,
                    candidateWeights());
        }
        float[] flat = floats(learner.params());
        PolicyWeights weights = config.hashed() ? hashedWeights(flat) : PolicyWeights.fromFlat(config.layerWidths(), flat);
        return new PolicySnapshot(name, incarnation, config, version, updates(), weights, learner.lambda(), createdAt);
    }

    /** A policy over action features' table: the seed's rows but for the changed ones, the context tower's bias. */
    private CandidateWeights candidateWeights() {
        TwoTowerLearner.Settings settings = TwoTowerLearner.Settings.of(config);
        int width = settings.width();
        TableRows rows = rows(TwoTowerLearner.seedRows(settings), config.tableRows(), width);
        return new CandidateWeights(new HashedTable(rows, floats(learner.params()), learner.featureScales().clone()),
                config.candidateLayout());
    }

    /** Per row: the changed row's weights, or the seed's. */
    private TableRows rows(float[] seed, int count, int width) {
        float[][] changed = learner.changedRows();
        return TableRows.of(count, i -> changed[i] != null ? Arrays.copyOf(changed[i], width)
                : Arrays.copyOfRange(seed, i * width, i * width + width));
    }

    /** The rows as the seed drew them but for the changed ones; {@code flat} is [bias | later layers]. */
    private PolicyWeights hashedWeights(float[] flat) {
        int[] widths = config.layerWidths();
        int width = widths[1];
        TableRows rows = rows(PolicyNetwork.initialHashedTable(widths, config.seed()), widths[0], width);
        PolicyWeights head = PolicyWeights.fromFlat(Arrays.copyOfRange(widths, 1, widths.length),
                Arrays.copyOfRange(flat, width, flat.length));
        return head.withHashedFirstLayer(rows, Arrays.copyOf(flat, width), learner.featureScales().clone());
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
