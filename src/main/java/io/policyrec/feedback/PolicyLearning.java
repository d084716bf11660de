package io.policyrec.feedback;

import io.policyrec.learning.Learner;
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
public final class PolicyLearning {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PolicyLearning.class);
    public final String name;
    public final long incarnation;
    public final PolicyConfig config;
    public final JoinRule rule;
    private final PolicyTrainer trainer;
    private final long createdAt;
    private final LearningObserver observer;
    private final List<Long> batchArrivals = new ArrayList<>();
    private final List<Long> learnedArrivals = new ArrayList<>();
    private long savedUpdates;
    private long savedAt;
    private long rolledBackTo = -1;
    private long rolledBackCount;
    private long rolledBackAt;
    /**
     * The rollbacks the weights descend from ({@link StoredPolicy#rollbacks}), carried by every
     * snapshot taken here: one taken before a rollback this learner then applies must not land
     * after that rollback in the store, and the count tells the store which it is.
     */
    private long rollbacks;

    private PolicyLearning(String name, long incarnation, PolicyConfig config, Learner learner,
                           long createdAt, long now, LearningObserver observer) {
        this.observer = observer;
        this.name = name;
        this.incarnation = incarnation;
        this.config = config;
        this.rule = JoinRule.of(config);
        this.trainer = new PolicyTrainer(learner, config.batchSize());
        this.createdAt = createdAt;
        this.savedUpdates = learner.updates();
        this.savedAt = now;
    }

    /** A policy just created here, with fresh weights. */
    public static PolicyLearning created(String name, long incarnation, PolicyConfig config, long createdAt,
                                  Learner learner, long now, LearningObserver observer) {
        return new PolicyLearning(name, incarnation, config, learner, createdAt, now, observer);
    }

    /**
     * A policy continued exactly from a stored snapshot (start-up, a partition taken over, an
     * import, a policy created on another instance): the one place a stored learner is restored.
     *
     * @throws IllegalArgumentException when the stored state does not fit its config
     */
    public static PolicyLearning restored(StoredPolicy s, long now, LearningObserver observer) {
        PolicyLearning l = created(s.name(), s.incarnation(), s.config(), s.createdAt(), learnerOf(s), now, observer);
        l.rollbacks = s.rollbacks();
        return l;
    }

    private static Learner learnerOf(StoredPolicy s) {
        return Learner.restore(s.config(), s.learner());
    }

    public Learner learner() {
        return trainer.learner();
    }

    /**
     * A rollback: learning continues from the stored weights, at the same place in the streams. One
     * this instance made is remembered, so that hearing its own announcement changes nothing.
     */
    void rollBackTo(StoredPolicy to, long now) {
        trainer.replaceLearner(learnerOf(to));
        // The larger: a rollback found without its count (0) must not make the earlier ones unknown.
        rollbacks = Math.max(rollbacks, to.rollbacks());
        savedUpdates = -1;
        rolledBackTo = to.version();
        rolledBackCount = to.rollbacks();
        rolledBackAt = now;
    }

    /**
     * The weights descend from the policy's rollbacks up to this count (a rollback applied, or
     * found applied already). The larger count is kept: a rollback found without its count (0)
     * must not make the earlier ones unknown.
     */
    void descendsFrom(long count) {
        rollbacks = Math.max(rollbacks, count);
        if (rolledBackTo >= 0 && rolledBackCount == 0) {
            // The last rollback applied here, found applied already (alreadyRolledBack): now counted.
            rolledBackCount = count;
        }
    }

    /**
     * Whether an announced rollback is in these weights already: by its count where it has one (the
     * weights descend from every rollback up to {@link #rollbacks}), else (a local store, or a
     * rollback found without its count) when it is the one this instance just made or applied. A
     * second rollback to the same version is not the first one again: it drops what was learned
     * since, and its count tells it apart.
     */
    boolean alreadyRolledBack(long version, long count, long now) {
        if (count > 0 && count <= rollbacks) {
            return true;
        }
        if (version < 0 || version != rolledBackTo) {
            return false;
        }
        if (rolledBackCount == 0 && count == rollbacks + 1) {
            // Applied here without its count (an announcement from an instance before counts), and
            // the next one counted: this is it, however long ago; applying it again would drop what
            // was learned since. (A later one to the same version counts further, and is applied.)
            return true;
        }
        // Neither count known (a local store), or this one has none: the one this instance just made.
        return count == 0 && now - rolledBackAt < 60_000;
    }

    public boolean owns(Decision d) {
        return d.policy().equals(name) && d.incarnation() == incarnation;
    }

    /**
     * Whether a logged decision can be learned by this policy's network: a record written by a
     * buggy or foreign producer must be skipped, not crash the learner on every replay.
     */
    public boolean fits(Decision d) {
        if (config.candidates() != (d.candidates() != null)) {
            return false;
        }
        int k = config.candidates() ? d.candidates().length : config.actions().size();
        if (config.candidates() && (k == 0 || k > PolicyConfig.MAX_CANDIDATES
                || !java.util.Arrays.stream(d.candidates()).allMatch(config.candidateLayout()::holds))) {
            return false;
        }
        if (!config.reads(d.context()) || d.actions().length == 0
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
        return true;
    }

    /** Adds a joined decision; returns true when it completed a batch (the policy changed). */
    public boolean learn(JoinedDecision joined, long offset, long now) {
        Decision d = joined.decision();
        observer.applied(d, joined.reward());
        if (joined.receivedAt() >= 0) {
            batchArrivals.add(joined.receivedAt());
        }
        StepReport step = trainer.add(new RewardedDecision(d.context(), d.eligible(), d.action(), d.probability(),
                joined.reward(), d.candidates()), offset, now);
        return step != null && stepped(step);
    }

    /**
     * Re-adds a decision of the partial batch a snapshot named. Usually no step completes here, but
     * restored pending decisions may have been learned first: then this one completes the batch
     * (true), and the step is recorded like any other.
     */
    public boolean restoreBatchEntry(Decision d, double reward, long offset, long now) {
        StepReport step = trainer.add(new RewardedDecision(d.context(), d.eligible(), d.action(), d.probability(),
                reward, d.candidates()), offset, now);
        return step != null && stepped(step);
    }

    /** Learns from a partial batch that waited long enough; true if it did. */
    public boolean flushIfWaiting(long now, long maxDelayMillis) {
        if (maxDelayMillis <= 0) {
            return false;
        }
        StepReport step = trainer.flushIfWaiting(now, maxDelayMillis);
        return step != null && stepped(step);
    }

    /** When the rewards learned from since the last call reached the service (for the freshness histogram). */
    public List<Long> takeLearnedArrivals() {
        List<Long> arrivals = new ArrayList<>(learnedArrivals);
        learnedArrivals.clear();
        return arrivals;
    }

    public void lag(double seconds) {
        observer.lag(name, seconds);
    }

    /** After a batch was consumed: true if it changed the policy (a skipped step changes nothing). */
    private boolean stepped(StepReport step) {
        if (LOG.isDebugEnabled()) {
            // What two runs of the same log compare when their weights differ (FailoverIT): which
            // decisions each step learned (their log offsets, in the order learned), and its loss
            // to the last digit.
            LOG.debugf("Step of %s (incarnation %d) to update %d: decisions %s, mean reward %s, loss %s, applied %s",
                    name, incarnation, step.updates(), java.util.Arrays.toString(trainer.learnedKeys()),
                    step.meanReward(), step.loss(), step.applied());
        }
        if (!step.applied()) {
            batchArrivals.clear();
            return false;
        }
        observer.stepped(name, incarnation);
        learnedArrivals.addAll(batchArrivals);
        batchArrivals.clear();
        return true;
    }

    public boolean saveDue(long now, long everyUpdates, long intervalMillis) {
        long updates = trainer.learner().updates();
        return updates - savedUpdates >= everyUpdates || (updates != savedUpdates && now - savedAt >= intervalMillis);
    }

    public void saved(long now) {
        savedUpdates = trainer.learner().updates();
        savedAt = now;
    }

    /** The version a snapshot of it has now: its learner's update count. */
    long version() {
        return trainer.learner().updates();
    }

    public PolicySnapshot snapshot() {
        return trainer.learner().served(name, incarnation, config, createdAt);
    }

    /** Everything to persist, with the join state (pending decisions and partial batch) of this policy. */
    public StoredPolicy stored(long now, Map<String, Long> positions, List<JoinState.Pending> pending) {
        return stored(now, positions, pending, List.of());
    }

    /** With the rewards its partition holds for decisions not in the log yet. */
    public StoredPolicy stored(long now, Map<String, Long> positions, List<JoinState.Pending> pending,
                               List<JoinState.Orphan> orphans) {
        Learner l = trainer.learner();
        double entropy = trainer.lastStep() == null ? Double.NaN : trainer.lastStep().meanEntropy();
        List<JoinState.BatchEntry> batch = new ArrayList<>();
        List<RewardedDecision> waiting = trainer.batch();
        long[] offsets = trainer.keys();
        for (int i = 0; i < waiting.size(); i++) {
            batch.add(new JoinState.BatchEntry(offsets[i], waiting.get(i).reward()));
        }
        return new StoredPolicy(name, incarnation, config, l.updates(), createdAt, now, entropy, l.state(), positions,
                new JoinState(pending, batch, orphans), rollbacks);
    }
}
