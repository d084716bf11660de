package io.policyrec.learning;

import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicySnapshot;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a policy is learned with: a network over fixed actions ({@link PolicyGradientLearner}) or
 * one that scores each request's candidates by their features ({@link TwoTowerLearner}). One
 * learner thread owns it.
 */
public interface Learner {

    /** A fresh learner for a config, weights drawn from its seed. */
    static Learner create(PolicyConfig config) {
        return config.candidates() ? TwoTowerLearner.create(TwoTowerLearner.Settings.of(config))
                : PolicyGradientLearner.create(config, DataType.FLOAT);
    }

    /** A learner that continues exactly from a state {@link #state()} gave. */
    static Learner restore(PolicyConfig config, LearnerState state) {
        return config.candidates() ? TwoTowerLearner.restore(TwoTowerLearner.Settings.of(config), state)
                : PolicyGradientLearner.restore(config, state);
    }

    /** One gradient step on a batch; returns what it saw. */
    StepReport step(List<RewardedDecision> batch);

    long updates();

    double lambda();

    /** Everything needed to continue exactly (a snapshot's learner part). */
    LearnerState state();

    /** What serving reads of this learner now: an immutable copy, at version {@link #updates()}. */
    PolicySnapshot served(String name, long incarnation, PolicyConfig config, long createdAt);
}
