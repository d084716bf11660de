package io.policyrec.learning;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers rewarded decisions into mini-batches of the policy's batch size and takes a gradient
 * step on each full batch; a partial batch can be flushed once its oldest decision has waited long
 * enough, so that learning keeps up when feedback is sparse.
 */
public final class PolicyTrainer {
    private Learner learner;
    private final int batchSize;
    private final List<RewardedDecision> batch = new ArrayList<>();
    private long batchStartedAt;
    private StepReport lastStep;

    public PolicyTrainer(Learner learner, int batchSize) {
        this.learner = learner;
        this.batchSize = batchSize;
    }

    public Learner learner() {
        return learner;
    }

    /** Continues with other weights (a rollback); the decisions waiting in the partial batch stay. */
    public void replaceLearner(Learner replacement) {
        this.learner = replacement;
        this.lastStep = null;
    }

    public int waiting() {
        return batch.size();
    }

    /** The partial batch, in the order it will be learned from. */
    public List<RewardedDecision> batch() {
        return java.util.Collections.unmodifiableList(batch);
    }

    public StepReport lastStep() {
        return lastStep;
    }

    /** Adds one decision; returns the step taken if it completed a batch, else null. */
    public StepReport add(RewardedDecision decision, long now) {
        if (batch.isEmpty()) {
            batchStartedAt = now;
        }
        batch.add(decision);
        return batch.size() >= batchSize ? step() : null;
    }

    /** Steps on a partial batch whose oldest decision has waited at least maxDelayMillis; else null. */
    public StepReport flushIfWaiting(long now, long maxDelayMillis) {
        if (!batch.isEmpty() && now - batchStartedAt >= maxDelayMillis) {
            return step();
        }
        return null;
    }

    private StepReport step() {
        lastStep = learner.step(List.copyOf(batch));
        batch.clear();
        return lastStep;
    }
}
