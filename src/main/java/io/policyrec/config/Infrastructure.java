package io.policyrec.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.FeedbackIntake;
import io.policyrec.feedback.LearningLoop;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.FileSnapshotStore;
import io.policyrec.snapshot.SnapshotStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;

/** Wires the framework-free parts of the service together from configuration. */
public class Infrastructure {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    PolicyRegistry registry() {
        return new PolicyRegistry();
    }

    @Produces
    @Singleton
    SnapshotStore snapshotStore(PolicyrecConfig config) {
        return new FileSnapshotStore(Path.of(config.snapshot().dir()));
    }

    @Produces
    @Singleton
    LearningLoop learningLoop(PolicyRegistry registry, SnapshotStore store, PolicyrecConfig config,
                              MeterRegistry meters, Clock clock) {
        var p = config.pending();
        var l = config.learner();
        var s = config.snapshot();
        return new LearningLoop(registry, store, new LoopSettings(p.maxBytes(), p.maxRemembered(), p.queueCapacity(),
                l.tick(), l.maxBatchDelay(), s.everyUpdates(), s.interval()), meters, clock);
    }

    @Produces
    @Singleton
    DecisionLog decisionLog(LearningLoop loop) {
        return loop::offerDecision;
    }

    @Produces
    @Singleton
    FeedbackIntake feedbackIntake(LearningLoop loop) {
        return loop::offerReward;
    }
}
