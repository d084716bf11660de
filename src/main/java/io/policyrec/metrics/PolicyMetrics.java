package io.policyrec.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.Decision;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The per-policy gauges operators watch for entropy collapse. Serving and learning only write
 * into fixed-size windows (no locks, no allocation on the request path); the values are computed
 * when Prometheus scrapes, and the heavier parts (action-share rows, off-policy estimates) by
 * {@link #refresh()} every few seconds.
 */
public final class PolicyMetrics implements LearningObserver {
    /** Settings of the gauges. */
    public record Settings(int decisionWindow, int learningWindow, int maxActionLabels, double inUseShare,
                           boolean enabled) {
        public Settings(int decisionWindow, int learningWindow, int maxActionLabels, double inUseShare) {
            this(decisionWindow, learningWindow, maxActionLabels, inUseShare, true);
        }
    }

    private final MeterRegistry meters;
    private final PolicyRegistry registry;
    private final Settings settings;
    private final ToDoubleFunction<String> snapshotAge;
    private final Map<String, Double> learnerLag = new ConcurrentHashMap<>();
    private final Map<String, State> states = new ConcurrentHashMap<>();
    /** The decisions over candidates kept for the off-policy estimates (each holds its candidates). */
    static final int CANDIDATE_LEARNING_WINDOW = 200;
    private final MultiGauge actionShares;

    /** One incarnation of one policy: its windows and the meters registered for it. */
    private final class State {
        final String name;
        final long incarnation;
        final DecisionWindow decisions;
        final LearningWindow learning;
        final Counter updates;
        final List<Meter> meters = new ArrayList<>();
        volatile PolicyValueEstimate estimate = new PolicyValueEstimate(Double.NaN, Double.NaN, 0);
        final boolean candidates;

        State(PolicySnapshot p) {
            this.name = p.name();
            this.incarnation = p.incarnation();
            this.decisions = new DecisionWindow(settings.decisionWindow(), p.config().actionCount());
            this.candidates = p.config().candidates();
            // A policy over action features' decisions hold their candidates (up to 1,000 each): fewer of them.
            this.learning = new LearningWindow(p.config().candidates()
                    ? Math.min(settings.learningWindow(), CANDIDATE_LEARNING_WINDOW) : settings.learningWindow());
            this.updates = Counter.builder("policyrec_updates_total").tag("policy", name)
                    .description("Gradient steps applied to the policy").register(meters());
        }
    }

    public PolicyMetrics(MeterRegistry meters, PolicyRegistry registry, Settings settings,
                         ToDoubleFunction<String> snapshotAge) {
        this.meters = meters;
        this.registry = registry;
        this.settings = settings;
        this.snapshotAge = snapshotAge;
        this.actionShares = MultiGauge.builder("policyrec_action_share")
                .description("Share of recent decisions per action (top actions plus 'other' above the label limit)")
                .register(meters);
    }

    private MeterRegistry meters() {
        return meters;
    }

    /** Request path: one decision of a policy, drawn from q. */
    public void decided(PolicySnapshot policy, double[] q, int action, long time) {
        if (!settings.enabled()) {
            return;
        }
        State s = state(policy);
        if (s != null) {
            s.decisions.record(ActionDistribution.entropy(q), q.length, action, time);
        }
    }

    /**
     * Request path: one decision of a policy over action features, drawn from q over its
     * candidates; the drawn candidate is known across decisions by its id.
     */
    public void decidedAmong(PolicySnapshot policy, double[] q, String id, long time) {
        if (!settings.enabled()) {
            return;
        }
        State s = state(policy);
        if (s != null) {
            s.decisions.recordAmong(ActionDistribution.entropy(q), q.length, id, time);
        }
    }

    /** Learner thread: how far behind the newest decisions it is for this policy. */
    @Override
    public void lag(String policy, double seconds) {
        learnerLag.put(policy, seconds);
    }

    /** Learner thread: a decision learned from, with its reward. */
    @Override
    public void applied(Decision decision, double reward) {
        State s = states.get(decision.policy());
        if (s != null && s.incarnation == decision.incarnation()) {
            s.learning.applied(decision, reward);
        }
    }

    /** Learner thread: a gradient step of a policy. */
    @Override
    public void stepped(String policy, long incarnation) {
        State s = states.get(policy);
        if (s != null && s.incarnation == incarnation) {
            s.updates.increment();
        }
    }

    private State state(PolicySnapshot p) {
        State s = states.get(p.name());
        if (s != null && s.incarnation == p.incarnation()) {
            return s;
        }
        return replace(p);
    }

    private synchronized State replace(PolicySnapshot p) {
        State s = states.get(p.name());
        if (s != null && s.incarnation == p.incarnation()) {
            return s;
        }
        if (s != null) {
            s.meters.forEach(meters::remove);
        }
        State fresh = new State(p);
        register(fresh);
        states.put(p.name(), fresh);
        return fresh;
    }

    private void register(State s) {
        String name = s.name;
        Tags tags = Tags.of("policy", name);
        s.meters.add(s.updates);
        gauge(s, "policyrec_policy_entropy_nats", "Mean entropy of the policy over recently served contexts", tags,
                () -> s.decisions.meanEntropy());
        gauge(s, "policyrec_policy_entropy_ratio", "Mean entropy over log K (K the actions, or the candidates of "
                + "each decision): 0 collapsed, 1 uniform", tags,
                () -> s.decisions.meanEntropyRatio());
        gauge(s, "policyrec_actions_in_use", "Actions drawn for at least the in-use share of recent decisions", tags,
                () -> s.decisions.size() == 0 ? Double.NaN : ActionStats.inUse(shares(s), settings.inUseShare()));
        gauge(s, "policyrec_effective_actions", "exp of the entropy of the recent action marginal", tags,
                () -> ActionStats.effective(shares(s)));
        gauge(s, "policyrec_top_action_share", "Share of recent decisions that went to the most drawn action", tags,
                () -> s.decisions.size() == 0 ? Double.NaN : ActionStats.top(shares(s)));
        gauge(s, "policyrec_policy_actions", "Number of actions of the policy (over action features: the mean "
                + "number of candidates per recent decision)", tags,
                () -> s.candidates ? s.decisions.meanChoices() : s.decisions.actions());
        gauge(s, "policyrec_reward_mean", "Mean reward of the decisions recently learned from", tags,
                () -> s.learning.meanReward());
        gauge(s, "policyrec_policy_value_estimate", "Off-policy estimate of the current policy's value from recent "
                + "logged decisions", tags.and("estimator", "ips"), () -> s.estimate.ips());
        gauge(s, "policyrec_policy_value_estimate", "Off-policy estimate of the current policy's value from recent "
                + "logged decisions", tags.and("estimator", "snips"), () -> s.estimate.snips());
        gauge(s, "policyrec_regularizer_lambda", "Regularizer weight in force", tags, () -> {
            PolicySnapshot p = registry.get(name);
            return p == null ? Double.NaN : p.lambda();
        });
        gauge(s, "policyrec_policy_version", "Version served (= gradient steps)", tags, () -> {
            PolicySnapshot p = registry.get(name);
            return p == null ? Double.NaN : p.version();
        });
        gauge(s, "policyrec_snapshot_age_seconds", "Time since the policy's last snapshot reached the store", tags,
                () -> snapshotAge.applyAsDouble(name));
        gauge(s, "policyrec_learner_lag_seconds", "How far behind the newest decisions the learner is", tags,
                () -> learnerLag.getOrDefault(name, Double.NaN));
    }

    /** The window's action shares: by action index, or by drawn candidate (any order) over action features. */
    private static double[] shares(State s) {
        if (!s.candidates) {
            return s.decisions.shares();
        }
        java.util.Collection<Integer> counts = s.decisions.drawnIdCounts().values();
        double n = s.decisions.size();
        double[] shares = new double[counts.size()];
        int i = 0;
        for (int c : counts) {
            shares[i++] = c / n;
        }
        return shares;
    }

    private void gauge(State s, String metric, String description, Tags tags, java.util.function.DoubleSupplier value) {
        s.meters.add(Gauge.builder(metric, value::getAsDouble).description(description).tags(tags).register(meters));
    }

    /**
     * Every few seconds: gauges for new policies and none for deleted ones, the action-share rows
     * (bounded label set), and the off-policy estimates of the current weights.
     */
    public void refresh() {
        for (PolicySnapshot p : registry.all()) {
            state(p);
        }
        for (State s : List.copyOf(states.values())) {
            PolicySnapshot p = registry.get(s.name);
            if (p == null) {
                synchronized (this) {
                    s.meters.forEach(meters::remove);
                    states.remove(s.name, s);
                    learnerLag.remove(s.name);
                }
                continue;
            }
            s.estimate = estimate(p, s.learning.copy());
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (State s : states.values()) {
            PolicySnapshot p = registry.get(s.name);
            if (p == null || s.decisions.size() == 0) {
                continue;
            }
            if (s.candidates) {
                rows.addAll(candidateShareRows(s));
                continue;
            }
            double[] shares = s.decisions.shares();
            rows.addAll(shareRows(s.name, p, shares));
        }
        actionShares.register(rows, true);
    }

    /**
     * The share rows of a policy over action features: its most drawn candidates by id, the rest
     * as "other".
     */
    private List<MultiGauge.Row<?>> candidateShareRows(State s) {
        double n = s.decisions.size();
        List<Map.Entry<String, Integer>> order = new ArrayList<>(s.decisions.drawnIdCounts().entrySet());
        order.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        double other = 0;
        for (Map.Entry<String, Integer> e : order) {
            if (rows.size() < settings.maxActionLabels() - 1) {
                rows.add(MultiGauge.Row.of(Tags.of("policy", s.name, "action", e.getKey()), e.getValue() / n));
            } else {
                other += e.getValue() / n;
            }
        }
        if (other > 0) {
            rows.add(MultiGauge.Row.of(Tags.of("policy", s.name, "action", "other"), other));
        }
        return rows;
    }

    private List<MultiGauge.Row<?>> shareRows(String name, PolicySnapshot p, double[] shares) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        int k = shares.length;
        if (k <= settings.maxActionLabels()) {
            for (int a = 0; a < k; a++) {
                rows.add(MultiGauge.Row.of(Tags.of("policy", name, "action", String.valueOf(p.config().actions().id(a))),
                        shares[a]));
            }
            return rows;
        }
        Integer[] order = new Integer[k];
        for (int a = 0; a < k; a++) {
            order[a] = a;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer a) -> shares[a]).reversed());
        double other = 0;
        for (int i = 0; i < k; i++) {
            int a = order[i];
            if (i < settings.maxActionLabels() - 1) {
                rows.add(MultiGauge.Row.of(Tags.of("policy", name, "action", String.valueOf(p.config().actions().id(a))),
                        shares[a]));
            } else {
                other += shares[a];
            }
        }
        rows.add(MultiGauge.Row.of(Tags.of("policy", name, "action", "other"), other));
        return rows;
    }

    /** IPS and SNIPS of the policy's current weights on the decisions it recently learned from. */
    static PolicyValueEstimate estimate(PolicySnapshot policy, LearningWindow.Snapshot window) {
        int n = window.decisions().length;
        double[] target = new double[n];
        double[] logged = new double[n];
        int used = 0;
        double[] rewards = new double[n];
        for (int i = 0; i < n; i++) {
            Decision d = window.decisions()[i];
            if (d == null || !policy.config().reads(d.context()) || (policy.config().candidates()
                    != (d.candidates() != null))) {
                continue;
            }
            double[] q = policy.distribution(d.context(), d.candidates(), d.eligible());
            target[used] = q[d.action()];
            logged[used] = d.probability();
            rewards[used] = window.rewards()[i];
            used++;
        }
        return PolicyValueEstimate.of(rewards, target, logged, used);
    }
}
