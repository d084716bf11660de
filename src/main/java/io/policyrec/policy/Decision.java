package io.policyrec.policy;

/**
 * One decision as made: everything learning and off-policy evaluation need later.
 *
 * @param incarnation   which creation of the named policy decided (a replaced policy does not
 *                      learn from its predecessor's decisions)
 * @param timestamp     epoch milliseconds when the decision was made (its event time)
 * @param eligible      the eligible action indices, or null when every action was eligible
 * @param actions       the actions drawn, in draw order; actions[0] is the one learned from
 * @param probabilities the exact probability of each draw at its step
 */
public record Decision(String eventId, String policy, long incarnation, long policyVersion, long timestamp,
                       Context context, int[] eligible, int[] actions, double[] probabilities) {

    public int action() {
        return actions[0];
    }

    public double probability() {
        return probabilities[0];
    }

    /** Heap bytes held by this decision while it waits for its reward, roughly. */
    public long footprintBytes() {
        return context.footprintBytes() + 160 + (eligible == null ? 0 : 16 + 4L * eligible.length)
                + 12L * actions.length + 2L * eventId.length();
    }
}
