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
    /** The key of each decision in {@link #batch}, in the same order. */
    private long[] keys = new long[16];
    /** The keys of the last step's batch, in the order it was learned. */
    private long[] learnedKeys = new long[0];
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

    /** The keys of the partial batch's decisions, in {@link #batch()}'s order. */
    public long[] keys() {
        return java.util.Arrays.copyOf(keys, batch.size());
    }

    /** The keys of the last step's decisions, in the order it learned them. */
    public long[] learnedKeys() {
        return learnedKeys.clone();
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
        if (batch.size() == keys.length) {
            keys = java.util.Arrays.copyOf(keys, 2 * keys.length);
        }
        keys[batch.size()] = key;
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
        int n = batch.size();
        int[] order = order(keys, n);
        RewardedDecision[] ordered = new RewardedDecision[n];
        long[] learned = new long[n];
        for (int i = 0; i < n; i++) {
            ordered[i] = batch.get(order[i]);
            learned[i] = keys[order[i]];
        }
        lastStep = learner.step(List.of(ordered));
        learnedKeys = learned;
        batch.clear();
        return lastStep;
    }

    /**
     * The indices of keys[0, n) in the order of their keys, stable. A batch joins mostly in log
     * order, so a small one is sorted in place by insertion; a large one (up to 100,000, with
     * rewards joining in any order) by a merge sort, as insertion could take n^2 / 4 steps.
     */
    static int[] order(long[] keys, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (n <= 64) {
            for (int i = 1; i < n; i++) {
                int at = i;
                while (at > 0 && keys[order[at - 1]] > keys[i]) {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = i;
            }
            return order;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        java.util.Arrays.sort(boxed, java.util.Comparator.comparingLong(i -> keys[i])); // stable
        for (int i = 0; i < n; i++) {
            order[i] = boxed[i];
        }
        return order;
    }
}
