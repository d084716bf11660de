package io.policyrec.feedback;

import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.learning.PolicyTrainer;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.StepReport;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.StoredPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One policy being learned by this instance: its trainer, the offsets of the decisions in its
 * partial batch (so that a snapshot can name them), and when it was last saved.
 */
final class PolicyLearning {
    final String name;
    final long incarnation;
    final PolicyConfig config;
    final JoinRule rule;
    final PolicyTrainer trainer;
    final long createdAt;
    private final long previousEvery;
    private final LearningObserver observer;
    private final List<Long> batchOffsets = new ArrayList<>();
    private final List<Long> batchArrivals = new ArrayList<>();
    private final List<Long> learnedArrivals = new ArrayList<>();
    long savedUpdates;
    long savedAt;
    private long rolledBackTo = -1;
    private long rolledBackAt;

    PolicyLearning(String name, long incarnation, PolicyConfig config, PolicyGradientLearner learner, long createdAt,
                   long previousEvery, long now) {
        this(name, incarnation, config, learner, createdAt, previousEvery, now, LearningObserver.NONE);
    }

    PolicyLearning(String name, long incarnation, PolicyConfig config, PolicyGradientLearner learner, long createdAt,
                   long previousEvery, long now, LearningObserver observer) {
        this.observer = observer;
        this.name = name;
        this.incarnation = incarnation;
        this.config = config;
        this.rule = JoinRule.of(config);
        this.trainer = new PolicyTrainer(learner);
        this.createdAt = createdAt;
        this.previousEvery = previousEvery;
        this.savedUpdates = learner.updates();
        this.savedAt = now;
    }

    PolicyGradientLearner learner() {
        return trainer.learner();
    }

    /** A rollback: learning continues from these weights, at the same place in the streams. */
    void replaceLearner(PolicyGradientLearner learner) {
        trainer.replaceLearner(learner);
        savedUpdates = -1;
    }

    /** A rollback this instance made: remembered so that hearing its own announcement changes nothing. */
    void rolledBack(StoredPolicy to, long now) {
        replaceLearner(PolicyGradientLearner.restore(to.config(), to.learner()));
        rolledBackTo = to.version();
        rolledBackAt = now;
    }

    /** Whether an announced rollback is the one this instance just made (and already applied). */
    boolean alreadyRolledBack(long version, long now) {
        return version == rolledBackTo && now - rolledBackAt < 60_000;
    }

    boolean owns(Decision d) {
        return d.policy().equals(name) && d.incarnation() == incarnation;
    }

    /**
     * Whether a logged decision can be learned by this policy's network: a record written by a
     * buggy or foreign producer must be skipped, not crash the learner on every replay.
     */
    boolean fits(Decision d) {
        int k = config.actions().size();
        if (d.context().length != config.contextDimension() || d.actions().length == 0
                || d.action() < 0 || d.action() >= k || !(d.probability() > 0 && d.probability() <= 1)) {
            return false;
        }
        if (d.eligible() != null) {
            for (int a : d.eligible()) {
                if (a < 0 || a >= k) {
                    return false;
                }
            }
        }
        for (float x : d.context()) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** Adds a joined decision; returns true when it completed a batch (the policy changed). */
    boolean learn(JoinedDecision joined, long offset, long now) {
        Decision d = joined.decision();
        batchOffsets.add(offset);
        observer.applied(d, joined.reward());
        if (joined.receivedAt() >= 0) {
            batchArrivals.add(joined.receivedAt());
        }
        StepReport step = trainer.add(new RewardedDecision(d.context(), d.eligible(), d.action(), d.probability(),
                joined.reward()), now);
        return step != null && stepped(step);
    }

    /**
     * Re-adds a decision of the partial batch a snapshot named. Usually no step completes here, but
     * restored pending decisions may have been learned first: then this one completes the batch
     * (true), and the step is recorded like any other.
     */
    boolean restoreBatchEntry(Decision d, double reward, long offset, long now) {
        batchOffsets.add(offset);
        StepReport step = trainer.add(new RewardedDecision(d.context(), d.eligible(), d.action(), d.probability(),
                reward), now);
        return step != null && stepped(step);
    }

    /** Learns from a partial batch that waited long enough; true if it did. */
    boolean flushIfWaiting(long now, long maxDelayMillis) {
        if (maxDelayMillis <= 0) {
            return false;
        }
        StepReport step = trainer.flushIfWaiting(now, maxDelayMillis);
        return step != null && stepped(step);
    }

    /** When the rewards learned from since the last call reached the service (for the freshness histogram). */
    List<Long> takeLearnedArrivals() {
        List<Long> arrivals = new ArrayList<>(learnedArrivals);
        learnedArrivals.clear();
        return arrivals;
    }

    void lag(double seconds) {
        observer.lag(name, seconds);
    }

    /** After a batch was consumed: true if it changed the policy (a skipped step changes nothing). */
    private boolean stepped(StepReport step) {
        batchOffsets.clear();
        if (!step.applied()) {
            batchArrivals.clear();
            return false;
        }
        observer.stepped(name, incarnation);
        learnedArrivals.addAll(batchArrivals);
        batchArrivals.clear();
        long updates = trainer.learner().updates();
        if (previousEvery > 0 && updates % previousEvery == 0) {
            trainer.learner().rememberCurrentAsPrevious();
        }
        return true;
    }

    boolean saveDue(long now, long everyUpdates, long intervalMillis) {
        long updates = trainer.learner().updates();
        return updates - savedUpdates >= everyUpdates || (updates != savedUpdates && now - savedAt >= intervalMillis);
    }

    void saved(long now) {
        savedUpdates = trainer.learner().updates();
        savedAt = now;
    }

    PolicySnapshot snapshot() {
        PolicyGradientLearner l = trainer.learner();
        return new PolicySnapshot(name, incarnation, config, l.updates(), l.updates(), l.weights(), l.lambda(),
                createdAt);
    }

    /** Everything to persist, with the join state (pending decisions and partial batch) of this policy. */
    StoredPolicy stored(long now, Map<String, Long> positions, List<JoinState.Pending> pending) {
        PolicyGradientLearner l = trainer.learner();
        double entropy = trainer.lastStep() == null ? Double.NaN : trainer.lastStep().meanEntropy();
        List<JoinState.BatchEntry> batch = new ArrayList<>();
        List<RewardedDecision> waiting = trainer.batch();
        for (int i = 0; i < waiting.size() && i < batchOffsets.size(); i++) {
            batch.add(new JoinState.BatchEntry(batchOffsets.get(i), waiting.get(i).reward()));
        }
        return new StoredPolicy(name, incarnation, config, l.updates(), createdAt, now, entropy, l.state(), positions,
                new JoinState(pending, batch));
    }
}
