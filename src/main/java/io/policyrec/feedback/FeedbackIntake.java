package io.policyrec.feedback;

/** Where rewards enter the join. */
public interface FeedbackIntake extends AutoCloseable {
    /** Accepts a reward without blocking; false when the service cannot take more right now. */
    boolean accept(String eventId, double reward, long eventTime);

    @Override
    default void close() {
    }
}
