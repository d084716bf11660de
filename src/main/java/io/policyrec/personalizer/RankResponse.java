package io.policyrec.personalizer;

import java.util.List;

/**
 * Personalizer's Rank answer: every action with the probability the policy gave it, the drawn one
 * first, then by probability, excluded actions last at 0.
 *
 * @param rewardActionId the drawn action, the one a reward for {@code eventId} is about
 */
public record RankResponse(List<RankedAction> ranking, String eventId, String rewardActionId) {

    public record RankedAction(String id, double probability) {
    }
}
