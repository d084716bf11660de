package io.policyrec.feedback;

import io.policyrec.background.Background;
import java.util.ArrayList;
import java.util.List;

/**
 * How decisions and rewards reach learning on this instance: embedded (the learning loop takes
 * both from memory) or Kafka (a decision log, a feedback topic, a router and a partitioned
 * learner). Chosen once at start-up; started and stopped as one.
 *
 * @param mode      "embedded" or "kafka", as the readiness check reports it
 * @param host      where this instance learns its policies
 * @param decisions where every decision goes
 * @param rewards   where every reward goes
 * @param parts     further background parts of this path (the Kafka feedback router)
 */
public record FeedbackPath(String mode, PolicyHost host, DecisionLog decisions, FeedbackIntake rewards,
                           List<Background> parts) implements Background {

    public FeedbackPath {
        parts = List.copyOf(parts);
    }

    /** One process: the learning loop is the decision log and the feedback intake. */
    public static FeedbackPath embedded(LearningLoop loop, boolean logDecisions) {
        return new FeedbackPath("embedded", loop, logDecisions ? loop : DecisionLog.NONE, loop, List.of());
    }

    @Override
    public void start() {
        host.start();
        parts.forEach(Background::start);
    }

    /** Stops the parts, then learning (final snapshots), then the log and the intake. */
    @Override
    public void close() {
        List<Background> reversed = new ArrayList<>(parts);
        java.util.Collections.reverse(reversed);
        reversed.forEach(Background::close);
        host.close();
        if (decisions != host) {
            decisions.close();
        }
        if (rewards != host) {
            rewards.close();
        }
    }
}
