package io.policyrec.feedback;

import io.policyrec.policy.Decision;
import io.policyrec.policy.EventIds;

/** Where every decision goes after it is answered: the learner's join, the Kafka decision log. */
public interface DecisionLog extends AutoCloseable {
    /** A log that keeps nothing (decision logging switched off, to measure what it costs). */
    DecisionLog NONE = decision -> { };

    /** Records a decision without blocking; drops (and counts) it when the log cannot keep up. */
    void record(Decision decision);

    /** A fresh event id for a decision of this policy. */
    default String newEventId(String policy) {
        return EventIds.next();
    }

    /**
     * The event id under which a decision of this policy is logged when the caller names it
     * (Personalizer's eventId): the same for the same name, so a reward that names it finds it.
     */
    default String eventIdFor(String policy, String given) {
        return given;
    }

    /** A line for the readiness check: "ok", or what is degraded. */
    default String health() {
        return "ok";
    }

    /** Hands on what it still holds and lets go of its connections. */
    @Override
    default void close() {
    }
}
