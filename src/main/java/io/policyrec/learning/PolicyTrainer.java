package io.policyrec.learning;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers rewarded decisions into mini-batches of the policy's batch size and takes a gradient
 * step on each full batch; a partial batch can be flushed once its oldest decision has waited long
 * enough, so that learning keeps up when feedback is sparse.
 *
 * <p>A batch is learned in the order of its decisions' keys (their offsets in the decision log;
 * equal keys, as without a log, keep the order they came in). Decisions join a batch as their
 * rewards arrive, and two runs of the same logs can join the same decisions in another order: a
 * learner restored from a snapshot takes rewards it held for decisions not read yet the moment
 * it reads them, where an uninterrupted one took them as they came. A step's sums over the batch
 * then ran in another order, and the weights differed by a float's last bit (FailoverIT, which
 * compares them bit for bit: decisions [90, 91, 92, 94, 93] against [90, 91, 92, 93, 94]).
 */
public final class PolicyTrainer {
    private Learner learner;
    private final int batchSize;
    private final List<RewardedDecision> batch = new ArrayList<>();
    private final List<Long> keys = new ArrayList<>();
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
        return add(decision, -1, now);
    }

    /**
     * Adds one decision with its key (its offset in the decision log, -1 for none); returns the step
     * taken if it completed a batch, else null.
     */
    public StepReport add(RewardedDecision decision, long key, long now) {
        if (batch.isEmpty()) {
            batchStartedAt = now;
        }
        batch.add(decision);
        keys.add(key);
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
        Integer[] order = new Integer[batch.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingLong(keys::get)); // stable
        List<RewardedDecision> ordered = new ArrayList<>(order.length);
        for (int i : order) {
            ordered.add(batch.get(i));
        }
        lastStep = learner.step(List.copyOf(ordered));
        batch.clear();
        keys.clear();
        return lastStep;
    }
}
