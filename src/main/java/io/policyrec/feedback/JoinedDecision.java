package io.policyrec.feedback;

import io.policyrec.policy.Decision;

/**
 * A decision whose reward is final, ready to be learned from.
 *
 * @param rewarded false when no reward came within the window and the default reward was used
 * @param offset   where the decision sits in the decision log (-1 without Kafka)
 * @param receivedAt when the reward that settled it reached the service (-1 when the window closed it)
 */
public record JoinedDecision(Decision decision, double reward, boolean rewarded, long offset, long receivedAt) {
}
