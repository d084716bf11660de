package io.policyrec.feedback.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.jboss.logging.Logger;

/** Creates the service's topics when they are missing and checks that decisions and routed feedback match. */
final class KafkaTopics {
    private static final Logger LOG = Logger.getLogger(KafkaTopics.class);

    private KafkaTopics() {
    }

    public static void ensure(KafkaSettings s) {
        try (Admin admin = KafkaClients.admin(s)) {
            Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            add(missing, existing, s.decisionsTopic(), s.partitions(), s.replicationFactor());
            add(missing, existing, s.routedTopic(), s.partitions(), s.replicationFactor());
            add(missing, existing, s.feedbackTopic(), s.feedbackPartitions(), s.replicationFactor());
            add(missing, existing, s.dlqTopic(), 1, s.replicationFactor());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("Created topics %s", missing.stream().map(NewTopic::name).toList());
            }
            Map<String, TopicDescription> d = admin.describeTopics(List.of(s.decisionsTopic(), s.routedTopic()))
                    .allTopicNames().get(15, TimeUnit.SECONDS);
            int decisions = d.get(s.decisionsTopic()).partitions().size();
            int routed = d.get(s.routedTopic()).partitions().size();
            if (decisions != s.partitions() || routed != s.partitions()) {
                throw new IllegalStateException("topics " + s.decisionsTopic() + " (" + decisions + ") and "
                        + s.routedTopic() + " (" + routed + ") must both have policyrec.kafka.partitions = "
                        + s.partitions() + " partitions");
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            // Kafka may be down at start-up: serving goes on; the clients retry on their own.
            LOG.warnf("Could not check or create topics now (%s); continuing", e.toString());
        }
    }

    private static void add(List<NewTopic> missing, Set<String> existing, String name, int partitions, short rf) {
        if (!existing.contains(name)) {
            missing.add(new NewTopic(name, partitions, rf));
        }
    }
}
