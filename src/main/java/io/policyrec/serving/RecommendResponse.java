package io.policyrec.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One decision. {@code action} is the action's id (a string for policies made with ids, else its
 * index) and {@code probability} the exact probability with which it was drawn.
 *
 * @param ranking       with k > 1: the k actions in draw order, each with the probability of
 *                      being drawn at its step given the ones before it
 * @param probabilities with explain: the whole distribution, in action order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecommendResponse(String eventId, String policy, long policyVersion, Object action, double probability,
                                List<ActionProbability> ranking, List<ActionProbability> probabilities) {

    public record ActionProbability(Object action, double probability) {
    }
}
