package io.policyrec.feedback.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.policyrec.background.Background;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.FeedbackPath;
import io.policyrec.feedback.LoopSettings;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.SnapshotStore;
import java.time.Clock;
import java.util.List;

/** The Kafka feedback path: decision log, feedback topic and router, and the partitioned learner. */
public final class KafkaFeedbackPath {
    private KafkaFeedbackPath() {
    }

    /** Creates the topics if asked to, then the parts; nothing runs until the path is started. */
    public static FeedbackPath create(KafkaSettings settings, LoopSettings loop, boolean logDecisions,
                                      PolicyRegistry registry, SnapshotStore store, SnapshotPublisher publisher,
                                      MeterRegistry meters, LearningObserver observer, Clock clock) {
        if (settings.createTopics()) {
            KafkaTopics.ensure(settings);
        }
        KafkaLearner learner = new KafkaLearner(settings, loop, registry, store, publisher, meters, observer, clock);
        DecisionLog decisions = logDecisions ? new KafkaDecisionLog(settings, meters) : DecisionLog.NONE;
        List<Background> parts = settings.router() ? List.of(new FeedbackRouter(settings, meters)) : List.of();
        return new FeedbackPath("kafka", learner, decisions, new KafkaFeedbackIntake(settings), parts);
    }
}
