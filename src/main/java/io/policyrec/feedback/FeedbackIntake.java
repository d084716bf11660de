package io.policyrec.feedback;

/** Where rewards enter the join. */
public interface FeedbackIntake extends AutoCloseable {
    /** Accepts a reward without blocking; false when the service cannot take more right now. */
    boolean accept(String eventId, double reward, long eventTime);

    /** Activates a deferred decision without blocking; false when the service cannot take more right now. */
    default boolean activate(String eventId, long eventTime) {
        return accept(eventId, RewardJoin.ACTIVATION, eventTime);
    }

    @Override
    default void close() {
    }
}
