package io.policyrec.feedback.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which partition of the decision log a policy's decisions go to: the hash Kafka's default
 * partitioner uses for the policy name as key, so tools that produce by key agree with us.
 * Event ids carry this partition after a dot, so feedback that knows only the event id can be
 * routed to the instance that learns the policy.
 */
final class PolicyPartitions {
    private PolicyPartitions() {
    }

    public static int of(String policy, int partitions) {
        return Utils.toPositive(Utils.murmur2(policy.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** An event id for a decision logged to the given partition. */
    public static String eventId(String uuid, int partition) {
        return uuid + "." + partition;
    }

    /** The partition an event id names, or -1 if it names none. */
    public static int ofEventId(String eventId) {
        int dot = eventId.lastIndexOf('.');
        if (dot < 0 || dot == eventId.length() - 1 || eventId.length() - dot > 7) {
            return -1;
        }
        int p = 0;
        for (int i = dot + 1; i < eventId.length(); i++) {
            char c = eventId.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            p = p * 10 + (c - '0');
        }
        return p;
    }
}
