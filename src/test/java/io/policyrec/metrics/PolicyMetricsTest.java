package io.policyrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.policy.Context;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The arithmetic of each gauge on known inputs. */
class PolicyMetricsTest {

    @Test
    void actionStatsOnKnownShares() {
        double[] uniform = {0.25, 0.25, 0.25, 0.25};
        assertEquals(4, ActionStats.inUse(uniform, 0.005));
        assertEquals(4.0, ActionStats.effective(uniform), 1e-12);
        assertEquals(0.25, ActionStats.top(uniform));
        double[] collapsed = {0.998, 0.002, 0, 0};
        assertEquals(1, ActionStats.inUse(collapsed, 0.005));
        assertEquals(Math.exp(-(0.998 * Math.log(0.998) + 0.002 * Math.log(0.002))), ActionStats.effective(collapsed),
                1e-12);
        assertEquals(0.998, ActionStats.top(collapsed));
    }

    @Test
    void decisionWindowKeepsTheLastDecisionsOnly() {
        DecisionWindow w = new DecisionWindow(4, 3);
        assertTrue(Double.isNaN(w.meanEntropy()));
        w.record(1.0, 3, 0, 1);
        w.record(2.0, 3, 1, 2);
        assertEquals(1.5, w.meanEntropy(), 1e-12);
        assertEquals(1.5 / Math.log(3), w.meanEntropyRatio(), 1e-12);
        assertEquals(List.of(0.5, 0.5, 0.0), toList(w.shares()));
        for (int i = 0; i < 4; i++) {
            w.record(0.5, 3, 2, 3 + i);
        }
        assertEquals(0.5, w.meanEntropy(), 1e-12, "the first two fell out of the window");
        assertEquals(0.5 / Math.log(3), w.meanEntropyRatio(), 1e-12);
        assertEquals(List.of(0.0, 0.0, 1.0), toList(w.shares()));
        assertEquals(6, w.lastDecisionAt());
    }

    @Test
    void theEntropyRatioOfCandidateDecisionsIsOverEachOnesOwnCandidates() {
        DecisionWindow w = new DecisionWindow(4, 0);
        w.record(Math.log(10), 10, 3, 1);
        w.record(0.5 * Math.log(50), 50, 7, 2);
        assertEquals(0.75, w.meanEntropyRatio(), 1e-12, "uniform over 10, then half of log 50");
    }

    @Test
    void offPolicyEstimatesOnKnownLogs() {
        double[] rewards = {1, 0, 1, 0};
        double[] target = {0.5, 0.5, 1.0, 0.0};
        double[] logged = {0.25, 0.5, 0.5, 0.5};
        PolicyValueEstimate e = PolicyValueEstimate.of(rewards, target, logged, 4);
        // weights 2, 1, 2, 0 -> IPS = (2 + 2) / 4 = 1, SNIPS = 4 / 5 = 0.8
        assertEquals(1.0, e.ips(), 1e-12);
        assertEquals(0.8, e.snips(), 1e-12);
    }

    @Test
    void aPolicyOverActionFeaturesSharesAreByCandidateIdAcrossDecisions() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PolicyRegistry registry = new PolicyRegistry();
        PolicyConfig config = new PolicyConfig(6, ActionSet.ofCount(3), List.of(3), 0.01, 2,
                RegularizerSettings.candidateDefault(), 0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST,
                2, BaselineKind.MEAN, 10.0).withFeatureBits(5).withActionFeatures(4);
        PolicySnapshot p = io.policyrec.learning.Learner.create(config).served("c", 1, config, 0);
        registry.put(p);
        PolicyMetrics metrics = new PolicyMetrics(meters, registry, new PolicyMetrics.Settings(100, 50, 3, 0.05),
                name -> 0.0);
        // 60 decisions draw "hit", 30 "b", 6 "c", 4 "d": each time at another index among 5 candidates, so an
        // index would mean nothing.
        String[] ids = {"hit", "b", "c", "d"};
        int[] draws = {60, 30, 6, 4};
        int t = 0;
        for (int a = 0; a < ids.length; a++) {
            for (int i = 0; i < draws[a]; i++) {
                metrics.decidedAmong(p, new double[] {0.2, 0.2, 0.2, 0.2, 0.2}, ids[a], t++);
            }
        }
        metrics.refresh();
        assertEquals(3, gauge(meters, "policyrec_actions_in_use"), 0, "0.6, 0.3 and 0.06 are at least 0.05; 0.04 is not");
        assertEquals(0.6, gauge(meters, "policyrec_top_action_share"), 1e-12);
        assertEquals(5, gauge(meters, "policyrec_policy_actions"), 0, "candidates per decision");
        assertEquals(0.6, meters.get("policyrec_action_share").tag("action", "hit").gauge().value(), 1e-12);
        assertEquals(0.3, meters.get("policyrec_action_share").tag("action", "b").gauge().value(), 1e-12);
        assertEquals(0.1, meters.get("policyrec_action_share").tag("action", "other").gauge().value(), 1e-12,
                "3 labels: the top 2 and the rest");
    }

    @Test
    void gaugesReadTheWindowsAndLabelsStayBounded() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PolicyRegistry registry = new PolicyRegistry();
        PolicyConfig config = new PolicyConfig(2, ActionSet.ofCount(30), List.of(4), 0.01, 10,
                RegularizerSettings.defaults(), 0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 1,
                BaselineKind.MEAN, 10);
        PolicyGradientLearner learner = PolicyGradientLearner.create(config, DataType.FLOAT);
        PolicySnapshot p = new PolicySnapshot("m", 7, config, 3, 3, learner.weights(), 0.25, 0);
        registry.put(p);
        PolicyMetrics metrics = new PolicyMetrics(meters, registry, new PolicyMetrics.Settings(100, 50, 5, 0.005),
                name -> 12.0);
        double[] q = new double[30];
        q[0] = 1.0;
        for (int i = 0; i < 90; i++) {
            metrics.decided(p, q, 0, i);
        }
        double[] q2 = new double[30];
        java.util.Arrays.fill(q2, 1.0 / 30);
        for (int i = 0; i < 10; i++) {
            metrics.decided(p, q2, 1 + i, i);
        }
        metrics.applied(new Decision("e", "m", 7, 3, 0, Context.dense(new float[] {0, 0}), null, new int[] {0}, new double[] {0.5}),
                1.0);
        metrics.applied(new Decision("f", "m", 7, 3, 0, Context.dense(new float[] {0, 0}), null, new int[] {1}, new double[] {0.5}),
                0.0);
        metrics.stepped("m", 7);
        metrics.lag("m", 0.25);
        metrics.refresh();
        assertEquals(0.1 * Math.log(30), gauge(meters, "policyrec_policy_entropy_nats"), 1e-9);
        assertEquals(0.1, gauge(meters, "policyrec_policy_entropy_ratio"), 1e-9);
        assertEquals(11, gauge(meters, "policyrec_actions_in_use"), 0);
        assertEquals(0.9, gauge(meters, "policyrec_top_action_share"), 1e-12);
        assertEquals(0.5, gauge(meters, "policyrec_reward_mean"), 1e-12);
        assertEquals(0.25, gauge(meters, "policyrec_regularizer_lambda"), 0);
        assertEquals(3, gauge(meters, "policyrec_policy_version"), 0);
        assertEquals(12.0, gauge(meters, "policyrec_snapshot_age_seconds"), 0);
        assertEquals(0.25, gauge(meters, "policyrec_learner_lag_seconds"), 0);
        assertEquals(1.0, meters.get("policyrec_updates_total").counter().count(), 0);
        assertTrue(Double.isFinite(meters.get("policyrec_policy_value_estimate").tag("estimator", "snips").gauge()
                .value()));
        // 30 actions, at most 5 labels: the top 4 and "other".
        var shares = meters.get("policyrec_action_share").gauges();
        assertEquals(5, shares.size());
        double other = meters.get("policyrec_action_share").tag("action", "other").gauge().value();
        double top = meters.get("policyrec_action_share").tag("action", "0").gauge().value();
        assertEquals(0.9, top, 1e-12);
        assertEquals(0.07, other, 1e-12);
        registry.remove("m");
        metrics.refresh();
        assertTrue(meters.find("policyrec_policy_entropy_ratio").gauges().isEmpty(), "a deleted policy has no gauges");
    }

    static double gauge(SimpleMeterRegistry meters, String name) {
        Gauge g = meters.get(name).gauge();
        return g.value();
    }

    static List<Double> toList(double[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
