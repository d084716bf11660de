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
 * @param candidates    a policy over action features: the request's candidates (actions and
 *                      eligible index into them), as the learner reads them; null for fixed actions
 * @param deferred      learned from only once activated inside its reward window (Personalizer's
 *                      deferActivation: the application may not show what was ranked)
 */
public record Decision(String eventId, String policy, long incarnation, long policyVersion, long timestamp,
                       Context context, int[] eligible, int[] actions, double[] probabilities,
                       Candidate[] candidates, boolean deferred) {

    /** A decision learned from whether or not it is activated. */
    public Decision(String eventId, String policy, long incarnation, long policyVersion, long timestamp,
                    Context context, int[] eligible, int[] actions, double[] probabilities, Candidate[] candidates) {
        this(eventId, policy, incarnation, policyVersion, timestamp, context, eligible, actions, probabilities,
                candidates, false);
    }

    /** A decision of a policy with fixed actions. */
    public Decision(String eventId, String policy, long incarnation, long policyVersion, long timestamp,
                    Context context, int[] eligible, int[] actions, double[] probabilities) {
        this(eventId, policy, incarnation, policyVersion, timestamp, context, eligible, actions, probabilities, null,
                false);
    }

    public int action() {
        return actions[0];
    }

    public double probability() {
        return probabilities[0];
    }

    /** Heap bytes held by this decision while it waits for its reward, roughly. */
    public long footprintBytes() {
        long bytes = context.footprintBytes() + 160 + (eligible == null ? 0 : 16 + 4L * eligible.length)
                + 12L * actions.length + 2L * eventId.length();
        if (candidates != null) {
            // As the join keeps them (its decision arena): 8 bytes a candidate and a feature.
            bytes += 8L * candidates.length;
            for (Candidate c : candidates) {
                bytes += 8L * c.features().size();
            }
        }
        return bytes;
    }
}
