package io.policyrec.feedback;

import io.policyrec.policy.Decision;
import io.policyrec.policy.EventIds;

/** Where every decision goes after it is answered: the learner's join, the Kafka decision log. */
public interface DecisionLog {
    /** Records a decision without blocking; drops (and counts) it when the log cannot keep up. */
    void record(Decision decision);

    /** A fresh event id for a decision of this policy. */
    default String newEventId(String policy) {
        return EventIds.next();
    }
}
