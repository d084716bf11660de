package io.policyrec.learning;

import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateWeights;
import io.policyrec.policy.Context;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.ReferenceKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy over actions described by features: each decision has its own candidates, and the
 * policy is the softmax over their scores {@code s(x, a) = u(x) . v(a)}, with two linear towers of
 * width d over hashed features, each an embedding bag with a bias ({@link HashedInputLayer}):
 * {@code u(x) = bu + sum_i x_i U_i} over the context's features, {@code v(a) = bv + sum_j y_j V_j}
 * over the action's features, plus the action's own bias {@code beta(a)}, one number per
 * identity bucket: {@code s(x, a) = u(x) . v(a) + beta(a)}.
 *
 * <p>Why this network: the product is a rank-d model of every (context feature, action feature)
 * pair, as Vowpal Wabbit's {@code -q} crosses them, at the cost of one d-wide dot product per
 * candidate once u(x) is known, so 1,000 candidates stay cheap. Known actions learn their own
 * bias, new ones start from their features alone (the action tower starts at zero, so a new
 * action's score is its features' from the first request). The identity is not among the tower's
 * features: measured on Spotify (the reward follows the audio features), an identity row in the
 * action tower learns each track's noise and costs top-5 accuracy (0.88 against 0.94 at the same
 * entropy target); an application whose items have tastes their features do not carry can name
 * the item as an action feature, and it enters the product like any other.
 *
 * <p>Learning is the service's REINFORCE with a regularizer ({@link OutputGradient.Row}) per
 * decision over its candidates: importance weights against the logged probability, the
 * regularizer against the uniform distribution over the candidates, and the adaptive lambda's
 * target a share of log(number of candidates). Single precision in the towers, one learner thread.
 */
public final class TwoTowerLearner {
    private final Settings settings;
    private final HashedInputLayer contextTower;
    private final HashedInputLayer actionTower;
    /** One number per identity bucket: an action's own bias, beside what its features say. */
    private final HashedInputLayer identityBias;
    private final Regularizer regularizer;
    private final Map<Integer, OutputGradient.Row> rows = new HashMap<>();
    private CandidateWeights published;
    private double lambda;
    private long updates;
    private long skippedSteps;
    private final RunningBaseline baseline = new RunningBaseline();

    /**
     * @param contextBits the context tower's table has 2^contextBits rows
     * @param actionBits  the action tower's table has 2^actionBits rows
     * @param width       d, the width of both towers
     */
    public record Settings(int contextBits, int actionBits, int width, double learningRate,
                           RegularizerSettings regularizer, BaselineKind baseline, double importanceWeightCap,
                           long seed) {
        public Settings {
            if (regularizer != null && regularizer.reference() == ReferenceKind.PREVIOUS) {
                throw new IllegalArgumentException("a policy over action features regularizes towards the uniform "
                        + "distribution over its candidates; the previous-policies reference needs fixed actions");
            }
        }
    }

    private TwoTowerLearner(Settings settings, HashedInputLayer contextTower, HashedInputLayer actionTower,
                            HashedInputLayer identityBias) {
        this.settings = settings;
        this.contextTower = contextTower;
        this.actionTower = actionTower;
        this.identityBias = identityBias;
        this.regularizer = settings.regularizer() == null ? null : Regularizers.of(settings.regularizer().type());
        this.lambda = settings.regularizer() == null ? 0 : settings.regularizer().lambda();
    }

    public static TwoTowerLearner create(Settings s) {
        int contextRows = 1 << s.contextBits();
        int actionRows = 1 << s.actionBits();
        return new TwoTowerLearner(s,
                tower(contextRows, s.width(), s, PolicyNetwork.initialHashedTable(new int[] {contextRows, s.width()},
                        s.seed())),
                tower(actionRows, s.width(), s, new float[actionRows * s.width()]),
                tower(actionRows, 1, s, new float[actionRows]));
    }

    private static HashedInputLayer tower(int rows, int width, Settings s, float[] seedRows) {
        return new HashedInputLayer(rows, width, seedRows, new float[rows][], new double[width], null, null,
                s.learningRate());
    }

    public long updates() {
        return updates;
    }

    public double lambda() {
        return lambda;
    }

    public long skippedSteps() {
        return skippedSteps;
    }

    /**
     * One gradient step on a batch of decisions over candidates (each {@link RewardedDecision} with
     * its candidates; action and eligible index into them).
     */
    public StepReport step(List<RewardedDecision> batch) {
        Pass pass = new Pass(batch);
        contextTower.learnScales(pass.contexts);
        actionTower.learnScales(pass.actions);
        double used = baseline.value();
        double loss = pass.lossAndGradient(null, used);
        int b = batch.size();
        if (!usable(loss, pass.ds)) {
            skippedSteps++;
            return new StepReport(updates, b, loss, pass.entropy, pass.meanReward, used, lambda, false);
        }
        pass.backward();
        contextTower.step(updates);
        actionTower.step(updates);
        identityBias.step(updates);
        updates++;
        if (settings.baseline() == BaselineKind.MEAN) {
            baseline.add(pass.meanReward);
        }
        RegularizerSettings r = settings.regularizer();
        if (r != null && r.adaptive()) {
            lambda = AdaptiveLambda.next(lambda, r.lambdaStep(), pass.target, pass.entropy, r.lambdaMax());
        }
        return new StepReport(updates, b, loss, pass.entropy, pass.meanReward, used, lambda, true);
    }

    /** One batch's forward pass, loss and gradients: flattened candidates, scores, dL/ds. */
    private final class Pass {
        final List<RewardedDecision> batch;
        final List<Context> contexts;
        final List<Context> actions = new ArrayList<>();
        final List<Context> identities = new ArrayList<>();
        /** Decision i's candidates are rows offsets[i] to offsets[i + 1] - 1 of the flattened lists. */
        final int[] offsets;
        double[] u;
        double[] v;
        double[] p;
        double[] ds;
        double entropy;
        /** The adaptive lambda's target: the mean over the batch of its share of log(candidates). */
        double target;
        double meanReward;

        Pass(List<RewardedDecision> batch) {
            this.batch = batch;
            this.contexts = HashedInputLayer.contexts(batch);
            this.offsets = new int[batch.size() + 1];
            for (int i = 0; i < batch.size(); i++) {
                Candidate[] candidates = batch.get(i).candidates();
                offsets[i + 1] = offsets[i] + candidates.length;
                for (Candidate c : candidates) {
                    actions.add(c.features());
                    identities.add(c.identityContext());
                }
            }
        }

        /**
         * The loss, with dL/ds into {@link #ds}; importance weights from the policy now unless
         * given (gradient checks hold them fixed, as the learner treats them as constants).
         */
        double lossAndGradient(double[] importance, double baselineValue) {
            int b = batch.size();
            int d = settings.width();
            int n = offsets[b];
            u = new double[b * d];
            v = new double[n * d];
            p = new double[n];
            contextTower.forward(contexts, u);
            actionTower.forward(actions, v);
            identityBias.forward(identities, p);
            for (int i = 0; i < b; i++) {
                scores(u, i * d, v, offsets[i], offsets[i + 1] - offsets[i], d, p);
                softmax(p, offsets[i], offsets[i + 1] - offsets[i]);
            }
            ds = new double[n];
            double loss = 0;
            double weight = lambda / b;
            for (int i = 0; i < b; i++) {
                RewardedDecision decision = batch.get(i);
                int o = offsets[i];
                int k = offsets[i + 1] - o;
                double w = importance != null ? importance[i] : importanceWeight(decision, p, o, k);
                double coef = w * (decision.reward() - baselineValue) / b;
                loss += rows.computeIfAbsent(k, OutputGradient.Row::new).lossAndGradient(p, o, k,
                        decision.eligible(), decision.action(), coef, regularizer, weight, ds);
                for (int j = o; j < o + k; j++) {
                    if (p[j] > 0) {
                        entropy -= p[j] * Math.log(p[j]);
                    }
                }
                if (settings.regularizer() != null && settings.regularizer().adaptive()) {
                    target += settings.regularizer().target(k) / b;
                }
                meanReward += decision.reward() / b;
            }
            entropy /= b;
            return loss;
        }

        /** dL/du = sum_a ds_a v(a), dL/dv(a) = ds_a u(x), dL/dbeta(a) = ds_a: into the towers. */
        void backward() {
            int d = settings.width();
            double[] du = new double[u.length];
            double[] dv = new double[v.length];
            for (int i = 0; i < batch.size(); i++) {
                for (int a = offsets[i]; a < offsets[i + 1]; a++) {
                    double g = ds[a];
                    if (g == 0) {
                        continue;
                    }
                    for (int j = 0; j < d; j++) {
                        du[i * d + j] += g * v[a * d + j];
                        dv[a * d + j] = g * u[i * d + j];
                    }
                }
            }
            contextTower.backward(contexts, du);
            actionTower.backward(actions, dv);
            identityBias.backward(identities, ds);
        }
    }

    /** min(cap, q_now(a) / p_logged): 1 when the decision came from the current weights. */
    private double importanceWeight(RewardedDecision decision, double[] p, int o, int k) {
        double now = OutputGradient.eligibleRow(p, o, k, decision.eligible())[decision.action()];
        return decision.loggedProbability() > 0
                ? Math.min(settings.importanceWeightCap(), now / decision.loggedProbability())
                : settings.importanceWeightCap();
    }

    // ---- gradient checks: the parameters and the gradient as one flat vector ----

    /** The loss at the current weights with fixed importance weights, and its gradient (no update). */
    double lossAndGradient(List<RewardedDecision> batch, double[] importance, double[] gradientOut) {
        Pass pass = new Pass(batch);
        double loss = pass.lossAndGradient(importance, baseline.value());
        if (gradientOut != null) {
            pass.backward();
            contextTower.writeGradient(gradientOut, 0);
            actionTower.writeGradient(gradientOut, contextTower.size());
            identityBias.writeGradient(gradientOut, contextTower.size() + actionTower.size());
            contextTower.clearGradient();
            actionTower.clearGradient();
            identityBias.clearGradient();
        }
        return loss;
    }

    /** The number of parameters: both towers with their biases, then the identity biases. */
    int size() {
        return contextTower.size() + actionTower.size() + identityBias.size();
    }

    void writeWeights(double[] into) {
        contextTower.writeWeights(into, 0);
        actionTower.writeWeights(into, contextTower.size());
        identityBias.writeWeights(into, contextTower.size() + actionTower.size());
    }

    void readWeights(double[] from) {
        contextTower.readWeights(from, 0);
        actionTower.readWeights(from, contextTower.size());
        identityBias.readWeights(from, contextTower.size() + actionTower.size());
    }

    /**
     * An immutable copy of the weights for serving, sharing every row not changed since the copy
     * published before.
     */
    public CandidateWeights weights() {
        published = new CandidateWeights(contextTower.publish(published == null ? null : published.context()),
                actionTower.publish(published == null ? null : published.actions()),
                identityBias.publish(published == null ? null : published.identities()));
        return published;
    }

    /** The scores of candidates in a context with the current weights: s(x, a) = u(x) . v(a) + beta(a). */
    public double[] scores(Context context, Candidate[] candidates) {
        int d = settings.width();
        double[] u = contextVector(context);
        double[] v = actionVectors(candidates);
        double[] s = identityBiases(candidates);
        scores(u, 0, v, 0, candidates.length, d, s);
        return s;
    }

    /** The action tower's vectors v(a) of candidates, row after row (d each). */
    public double[] actionVectors(Candidate[] candidates) {
        double[] v = new double[candidates.length * settings.width()];
        actionTower.forward(java.util.Arrays.stream(candidates).map(Candidate::features).toList(), v);
        return v;
    }

    /** The candidates' own biases beta(a). */
    public double[] identityBiases(Candidate[] candidates) {
        double[] beta = new double[candidates.length];
        identityBias.forward(java.util.Arrays.stream(candidates).map(Candidate::identityContext).toList(), beta);
        return beta;
    }

    /** The context tower's vector u(x). */
    public double[] contextVector(Context context) {
        double[] u = new double[settings.width()];
        contextTower.forward(List.of(context), u);
        return u;
    }

    /** Adds k products of u (at uo) with the k vectors of v from row vo on to out, from vo on. */
    static void scores(double[] u, int uo, double[] v, int vo, int k, int d, double[] out) {
        for (int a = vo; a < vo + k; a++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += u[uo + j] * v[a * d + j];
            }
            out[a] += s;
        }
    }

    /** Softmax in place over k values from o on. */
    static void softmax(double[] z, int o, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = o; a < o + k; a++) {
            max = Math.max(max, z[a]);
        }
        double sum = 0;
        for (int a = o; a < o + k; a++) {
            z[a] = Math.exp(z[a] - max);
            sum += z[a];
        }
        for (int a = o; a < o + k; a++) {
            z[a] /= sum;
        }
    }

    /** As the fixed-action learner: a non-finite loss or an absurd gradient skips the batch. */
    private static boolean usable(double loss, double[] ds) {
        if (!Double.isFinite(loss)) {
            return false;
        }
        for (double g : ds) {
            if (!(Math.abs(g) < 1e15)) {
                return false;
            }
        }
        return true;
    }
}
