package io.policyrec.feedback.kafka;

import java.time.Duration;
import java.util.Map;

/**
 * How this instance uses Kafka.
 *
 * @param clientProperties every {@code kafka.*} property of the configuration, prefix removed
 *                         (bootstrap servers, security settings), applied to every client
 * @param partitions       partitions of the decisions topic and of the routed feedback topic (they
 *                         must match: partition p of both is learned together)
 * @param grace            how long the merge waits for a decision still in flight
 * @param orphanWait       how long (event time) a reward whose decision is not in the log yet is held for it
 * @param maxOrphans       rewards held so per partition, at most
 * @param clickReward      the reward of a feedback record that carries no reward (a click)
 * @param learner          whether this instance joins the learner group (false: serving only)
 * @param router           whether this instance routes feedback
 */
public record KafkaSettings(Map<String, Object> clientProperties, String decisionsTopic, String feedbackTopic,
                            String routedTopic, String dlqTopic, int partitions, int feedbackPartitions,
                            short replicationFactor, String learnerGroup, String routerGroup, int bufferCapacity,
                            Duration grace, double clickReward, boolean createTopics, String instanceId,
                            boolean learner, boolean router, Duration sessionTimeout, Duration orphanWait,
                            int maxOrphans) {
}
