package io.policyrec.feedback;

import java.util.Locale;

/** Why a reward was not learned from; the label of {@code policyrec_feedback_rejected_total}. */
public enum RejectReason {
    /** No decision with that event id is known (never made, or forgotten long ago). */
    UNKNOWN,
    /** The reward came after its decision's window closed (the decision has expired). */
    LATE,
    /** The decision was already applied (earliest) and this is a further reward inside the window. */
    DUPLICATE,
    /** The decision was evicted unlearned because too many decisions were pending. */
    EVICTED,
    /** The feedback itself was malformed: missing event id, non-finite reward. */
    INVALID;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
