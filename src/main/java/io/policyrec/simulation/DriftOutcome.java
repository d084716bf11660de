package io.policyrec.simulation;

import java.util.List;

/**
 * How a run fared around a change of preferences ({@link DriftingEnvironment}): the policy just
 * before the drift, right after it, at the end, and how many interactions after the drift it
 * took to earn again within a tolerance of its pre-drift greedy reward.
 *
 * @param recoveryInteractions interactions from the drift to the first evaluation back within the
 *                             tolerance, or -1 if the run never got back
 */
public record DriftOutcome(double rewardBefore, double entropyBefore, int actionsBefore, double rewardJustAfter,
                           double rewardEnd, double entropyEnd, int actionsEnd, long recoveryInteractions) {

    /** Back within this much of the pre-drift greedy reward counts as recovered. */
    public static final double TOLERANCE = 0.03;

    public boolean recovered() {
        return recoveryInteractions >= 0;
    }

    /** @param evaluations in order of interactions, at least one before and one after the drift */
    public static DriftOutcome of(List<Evaluation> evaluations, long driftAt) {
        Evaluation before = null;
        Evaluation justAfter = null;
        long recovery = -1;
        for (Evaluation e : evaluations) {
            if (e.interactions() <= driftAt) {
                before = e;
            } else {
                if (justAfter == null) {
                    justAfter = e;
                }
                if (recovery < 0 && before != null && e.greedyReward() >= before.greedyReward() - TOLERANCE) {
                    recovery = e.interactions() - driftAt;
                }
            }
        }
        if (before == null || justAfter == null) {
            throw new IllegalArgumentException("need evaluations before and after the drift at " + driftAt);
        }
        Evaluation end = evaluations.get(evaluations.size() - 1);
        return new DriftOutcome(before.greedyReward(), before.meanEntropy(), before.actionsUsed(),
                justAfter.greedyReward(), end.greedyReward(), end.meanEntropy(), end.actionsUsed(), recovery);
    }
}
