package io.policyrec.learning;

import io.policyrec.policy.ActionValues;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.CandidateWeights;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.ReferenceKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy over actions described by features: each decision has its own candidates, and the
 * policy is the softmax over their scores {@code s(x, a) = u(x) . v(a) + beta(a)}, with
 * {@code u(x) = bu + sum_i x_i T_i} over the context's features (the context tower),
 * {@code v(a) = sum_j y_j T_j} over the action's features (the action tower, each y_j the value
 * {@link ActionValues} gives it within its decision) and {@code beta(a)}
 * the first number of the action's identity row: its own bias. All rows lie in one hashed table
 * ({@link CandidateLayout}), an embedding bag with lazy Adam ({@link HashedInputLayer}), so that
 * snapshots, deltas, rollbacks and replicas treat it as any hashed first layer.
 *
 * <p>Why this network: the product is a rank-d model of every (context feature, action feature)
 * pair, as Vowpal Wabbit's {@code -q} crosses them, at the cost of one d-wide dot product per
 * distinct action-feature row of a decision once u(x) is known (candidates share most rows), so
 * 1,000 candidates stay cheap. Known actions learn their own
 * bias, new ones start from their features alone: the action and identity rows start at zero, so
 * a new action's score is its features' from the first request. The identity is not among the
 * tower's features: measured on Spotify (the reward follows the audio features), an identity row
 * in the action tower learns each track's noise and costs top-5 accuracy (0.90 against 0.96 with
 * entropy 0.05; 0.80 against 0.94 right after half of the tracks are replaced); an application
 * whose items have tastes their features do not carry can name the item as an action feature,
 * and it enters the product like any other. (An action tower's bias would add u(x) . bv, the
 * same to every candidate: the softmax cannot see it, so there is none.)
 *
 * <p>Learning is the service's REINFORCE with a regularizer ({@link OutputGradient.Row}) per
 * decision over its candidates: importance weights against the logged probability, the
 * regularizer against the uniform distribution over the candidates, and the adaptive lambda's
 * target a share of log(number of candidates). Single precision in the table, one learner thread.
 */
public final class TwoTowerLearner implements Learner {
    private final Settings settings;
    private final CandidateLayout layout;
    private final HashedInputLayer table;
    private final Regularizer regularizer;
    private final Map<Integer, OutputGradient.Row> rows = new HashMap<>();
    private final RunningBaseline baseline;
    private CandidateWeights published;
    /**
     * A step's arrays, reused from step to step (one thread learns): at batch 100 with 1,000
     * candidates of 10 features, a feature array is 4 MB, a humongous object for G1 at a 3 GB heap,
     * and each new one may start a collection on a serving instance.
     */
    private double[] uBuffer = new double[0];
    private double[] pBuffer = new double[0];
    private double[] dsBuffer = new double[0];
    private double[] duBuffer = new double[0];
    /** Per decision, the distinct action-feature rows of its candidates ({@link Pass#actionRows}). */
    private int[] entryRowBuffer = new int[0];
    private double[] entryDotBuffer = new double[0];
    private double[] entryGradBuffer = new double[0];
    /** Per candidate feature: which entry of its decision, and its value (as given, then as it enters the score). */
    private int[] occEntryBuffer = new int[0];
    private float[] occValueBuffer = new float[0];
    /** Per entry of a step's decisions: its mean, whether it varies, its occurrences, its first occurrence. */
    private float[] entryMeanBuffer = new float[0];
    private boolean[] entryVariesBuffer = new boolean[0];
    private int[] entryOccurrenceBuffer = new int[0];
    private int[] entryFirstBuffer = new int[0];
    private int[] spreadRowBuffer = new int[0];
    private float[] entryInverseBuffer = new float[0];
    private float[] entryAtZeroBuffer = new float[0];
    /** Per action row, a step's sum and count of |x - mean| ({@code Pass#learnSpreads}); zero between steps. */
    private double[] deviationSum;
    private int[] deviationCount;
    /**
     * The entry of each table row within the decision being read (-1: none), cleared after each;
     * made at the first step (a learner restored only to serve or to be rolled back never needs it).
     */
    private int[] entryOf;
    private double lambda;
    private long updates;
    private long skippedSteps;

    /**
     * @param contextBits the context features' rows: 2^contextBits
     * @param actionBits  the action features' and identities' rows: 2^actionBits each
     * @param width       d, the width of both towers
     */
    public record Settings(int contextBits, int actionBits, int width, double learningRate,
                           RegularizerSettings regularizer, BaselineKind baseline, double importanceWeightCap,
                           long seed, double minProbability) {
        public Settings {
            if (regularizer != null && regularizer.reference() == ReferenceKind.PREVIOUS) {
                throw new IllegalArgumentException("a policy over action features regularizes towards the uniform "
                        + "distribution over its candidates; the previous-policies reference needs fixed actions");
            }
        }

        /** Without a probability floor (the simulation's and the engine benchmarks' setting). */
        public Settings(int contextBits, int actionBits, int width, double learningRate,
                        RegularizerSettings regularizer, BaselineKind baseline, double importanceWeightCap, long seed) {
            this(contextBits, actionBits, width, learningRate, regularizer, baseline, importanceWeightCap, seed, 0.0);
        }

        public static Settings of(PolicyConfig c) {
            return new Settings(c.featureBits(), c.actionFeatureBits(), c.hiddenLayers().get(0), c.learningRate(),
                    c.regularizer(), c.baseline(), c.importanceWeightCap(), c.seed(), c.minProbability());
        }

        public CandidateLayout layout() {
            return new CandidateLayout(contextBits, actionBits);
        }
    }

    private TwoTowerLearner(Settings settings, HashedInputLayer table, long updates, RunningBaseline baseline,
                            double lambda) {
        this.settings = settings;
        this.layout = settings.layout();
        this.table = table;
        this.regularizer = settings.regularizer() == null ? null : Regularizers.of(settings.regularizer().type());
        this.baseline = baseline;
        this.lambda = lambda;
        this.updates = updates;
    }

    public static TwoTowerLearner create(Settings s) {
        return new TwoTowerLearner(s, table(s, new float[s.layout().rows()][], new double[s.width()], null, null), 0,
                new RunningBaseline(), s.regularizer() == null ? 0 : s.regularizer().lambda());
    }

    /** Continues exactly from a state {@link #state()} gave (a snapshot, a replay, a rollback). */
    public static TwoTowerLearner restore(Settings s, LearnerState state) {
        return new TwoTowerLearner(s, table(s, state.changedRows(), state.params(), state.optimizerState(),
                state.featureScales()), state.updates(), new RunningBaseline(state.baseline(), state.baselineBatches()),
                state.lambda());
    }

    private static HashedInputLayer table(Settings s, float[][] changed, double[] bias, double[] moments,
                                          float[] scales) {
        return new HashedInputLayer(s.layout().rows(), s.width(), seedRows(s), changed, bias, moments, scales,
                s.learningRate());
    }

    /**
     * The table as the seed draws it: the context rows at random (as a hashed first layer's), the
     * action and identity rows at zero, so that a new action starts from its features alone.
     */
    public static float[] seedRows(Settings s) {
        CandidateLayout l = s.layout();
        float[] context = PolicyNetwork.initialHashedTable(new int[] {l.contextRows(), s.width()}, s.seed());
        return Arrays.copyOf(context, l.rows() * s.width());
    }

    @Override
    public long updates() {
        return updates;
    }

    @Override
    public double lambda() {
        return lambda;
    }

    public long skippedSteps() {
        return skippedSteps;
    }

    /** Everything to continue exactly: the table's changed rows and scales, the bias, Adam's moments for it. */
    @Override
    public LearnerState state() {
        double[][] head = table.headState(new double[0], new double[0]);
        return new LearnerState(head[0], head[1], updates, baseline.value(), baseline.batches(), lambda, List.of(),
                table.scales(), table.changedRows());
    }

    @Override
    public PolicySnapshot served(String name, long incarnation, PolicyConfig config, long createdAt) {
        return new PolicySnapshot(name, incarnation, config, updates, updates, null, lambda, createdAt, weights());
    }

    /**
     * One gradient step on a batch of decisions over candidates (each {@link RewardedDecision} with
     * its candidates; action and eligible index into them).
     */
    @Override
    public StepReport step(List<RewardedDecision> batch) {
        Pass pass = new Pass(batch);
        table.learnScales(pass.contexts);
        pass.learnScales = true;
        double used = baseline.value();
        double loss = pass.lossAndGradient(null, used);
        int b = batch.size();
        if (!usable(loss, pass.ds, pass.offsets[b])) {
            skippedSteps++;
            return new StepReport(updates, b, loss, pass.entropy, pass.meanReward, used, lambda, false);
        }
        pass.backward();
        table.step(updates);
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

    /**
     * One batch's forward pass, loss and gradients: flattened candidates, scores, dL/ds.
     *
     * <p>A score is {@code u(x) . v(a) = sum over a's features f of x'_f (u(x) . T_f)}, so the pass
     * takes u(x) . T_r once per decision and distinct action-feature row r, and a candidate's score
     * is then a sum of scalars; likewise the backward pass sums dL/ds over the candidates into one
     * scalar per decision and row, {@code c_r = sum_a ds_a x'_a,r}, and adds {@code c_r u(x)} to
     * T_r's gradient and {@code c_r T_r} to u(x)'s. Candidates share most of their features'
     * rows (a price, a category, ten audio features), so this costs the distinct rows of a
     * decision in width-wide products instead of every candidate's features: 500 at 50 candidates
     * of 10 features, against 10 to 100 distinct rows.
     */
    private final class Pass {
        final List<RewardedDecision> batch;
        final List<Context> contexts;
        final List<Context> actions = new ArrayList<>();
        final int[] identities;
        /** Decision i's candidates are rows offsets[i] to offsets[i + 1] - 1 of the flattened lists. */
        final int[] offsets;
        /** Candidate a's features are occurrences occStart[a] to occStart[a + 1] - 1. */
        final int[] occStart;
        /** Decision i's distinct action-feature rows are entries entryStart[i] to entryStart[i + 1] - 1. */
        int[] entryStart;
        int[] entryRows;
        int[] occEntry;
        float[] occValue;
        /** Per entry, its row's mean over the decision's candidates (a candidate without it counts 0). */
        float[] entryMean;
        /** Per entry, whether its row's value differs between the decision's candidates. */
        boolean[] entryVaries;
        int[] entryOccurrences;
        int[] entryFirst;
        int entries;
        /** Whether reading the candidates moves the action buckets' scales (a step; not a gradient check). */
        boolean learnScales;
        double[] u;
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
                offsets[i + 1] = offsets[i] + batch.get(i).candidates().length;
            }
            this.identities = new int[offsets[batch.size()]];
            this.occStart = new int[offsets[batch.size()] + 1];
            for (int i = 0; i < batch.size(); i++) {
                Candidate[] candidates = batch.get(i).candidates();
                for (int a = 0; a < candidates.length; a++) {
                    Context f = candidates[a].features();
                    actions.add(f);
                    identities[offsets[i] + a] = candidates[a].identity();
                    occStart[offsets[i] + a + 1] = occStart[offsets[i] + a] + f.size();
                }
            }
        }

        /**
         * Numbers each decision's distinct action-feature rows and points every candidate feature
         * at its row's entry, with the value it enters the score with ({@link ActionValues}), after
         * the batch moved the scales when this pass is a step's.
         */
        void actionRows() {
            int b = batch.size();
            int n = offsets[b];
            int occurrences = occStart[n];
            entryStart = new int[b + 1];
            entryRows = entryRowBuffer = atLeast(entryRowBuffer, occurrences);
            occEntry = occEntryBuffer = atLeast(occEntryBuffer, occurrences);
            occValue = occValueBuffer = atLeast(occValueBuffer, occurrences);
            entryMean = entryMeanBuffer = atLeast(entryMeanBuffer, occurrences);
            entryVaries = entryVariesBuffer = atLeast(entryVariesBuffer, occurrences);
            entryOccurrences = entryOccurrenceBuffer = atLeast(entryOccurrenceBuffer, occurrences);
            entryFirst = entryFirstBuffer = atLeast(entryFirstBuffer, occurrences);
            if (entryOf == null) {
                entryOf = new int[layout.rows()];
                Arrays.fill(entryOf, -1);
            }
            int e = 0;
            for (int i = 0; i < b; i++) {
                entryStart[i] = e;
                try {
                    decisionRows(i, e);
                } finally {
                    // Left clean even when a decision does not fit the table: the next step reads it.
                    for (int k = entryStart[i]; k < entryCount; k++) {
                        entryOf[entryRows[k]] = -1;
                    }
                }
                e = entryCount;
            }
            entryStart[b] = e;
            entries = e;
            if (learnScales) {
                learnSpreads();
            }
            // 1 / s and w(0) once per entry, not per candidate feature.
            float[] inverse = entryInverseBuffer = atLeast(entryInverseBuffer, e);
            float[] atZero = entryAtZeroBuffer = atLeast(entryAtZeroBuffer, e);
            for (int en = 0; en < e; en++) {
                inverse[en] = ActionValues.inverse(table.scale(entryRows[en]));
                atZero[en] = ActionValues.atZero(entryMean[en], inverse[en]);
            }
            for (int o = 0; o < occurrences; o++) {
                int en = occEntry[o];
                occValue[o] = ActionValues.of(occValue[o], entryMean[en], inverse[en], atZero[en]);
            }
        }

        /**
         * Moves each action row's scale towards the batch's mean |x - mean| over the decisions whose
         * candidates differ in it ({@link ActionValues#spread}): a row without a scale at any step,
         * the others on a refreshing step only. A decision whose candidates all have the same value
         * says nothing of the spread (its float mean may differ from the value by rounding).
         */
        private void learnSpreads() {
            boolean refresh = ActionValues.refreshes(updates);
            int base = layout.contextRows();
            if (deviationSum == null) {
                deviationSum = new double[layout.actionRows()];
                deviationCount = new int[layout.actionRows()];
            }
            int touched = 0;
            int[] rowsTouched = spreadRowBuffer = atLeast(spreadRowBuffer, entries);
            for (int o = 0; o < occStart[offsets[batch.size()]]; o++) {
                int entry = occEntry[o];
                int row = entryRows[entry];
                // Candidates are checked to fit the layout (CandidateLayout.holds); a row outside
                // the action rows is not an action feature's, and is not counted.
                if (!entryVaries[entry] || (table.scale(row) != 0f && !refresh) || row < base
                        || row >= base + layout.actionRows()) {
                    continue;
                }
                if (deviationCount[row - base]++ == 0) {
                    rowsTouched[touched++] = row;
                }
                deviationSum[row - base] += Math.abs(occValue[o] - entryMean[entry]);
            }
            for (int t = 0; t < touched; t++) {
                int r = rowsTouched[t] - base;
                table.setScale(rowsTouched[t], ActionValues.spread(table.scale(rowsTouched[t]),
                        (float) (deviationSum[r] / deviationCount[r])));
                deviationSum[r] = 0;
                deviationCount[r] = 0;
            }
        }

        private int entryCount;

        /** Decision i's candidates' features into entries from e on, with each entry's mean. */
        private void decisionRows(int i, int e) {
            entryCount = e;
            int k = offsets[i + 1] - offsets[i];
            for (int a = offsets[i]; a < offsets[i + 1]; a++) {
                Context c = actions.get(a);
                int[] rowsOf = c.indices();
                float[] values = c.values();
                int o = occStart[a];
                for (int f = 0; f < c.size(); f++) {
                    int row = rowsOf[f];
                    int entry = entryOf[row];
                    if (entry < 0) {
                        entry = entryCount++;
                        entryOf[row] = entry;
                        entryRows[entry] = row;
                        entryMean[entry] = 0f;
                        entryOccurrences[entry] = 0;
                        entryVaries[entry] = false;
                    } else if (values[f] != occValue[entryFirst[entry]]) {
                        entryVaries[entry] = true;
                    }
                    if (entryOccurrences[entry]++ == 0) {
                        entryFirst[entry] = o + f;
                    }
                    occEntry[o + f] = entry;
                    occValue[o + f] = values[f];
                    entryMean[entry] += values[f]; // the sum, until below
                }
            }
            for (int en = e; en < entryCount; en++) {
                entryMean[en] /= k;
                if (entryOccurrences[en] < k) {
                    entryVaries[en] = true; // some candidates lack it: they count 0
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
            u = uBuffer = atLeast(uBuffer, b * d);
            p = pBuffer = atLeast(pBuffer, n);
            table.forward(contexts, u, true);
            actionRows();
            table.fetchRows(entryRows, entries);
            double[] dots = entryDotBuffer = atLeast(entryDotBuffer, entries);
            for (int i = 0; i < b; i++) {
                for (int e = entryStart[i]; e < entryStart[i + 1]; e++) {
                    dots[e] = table.dot(entryRows[e], u, i * d);
                }
            }
            for (int a = 0; a < n; a++) {
                double s = table.row(identities[a], 0);
                for (int o = occStart[a]; o < occStart[a + 1]; o++) {
                    s += occValue[o] * dots[occEntry[o]];
                }
                p[a] = s;
            }
            for (int i = 0; i < b; i++) {
                OutputGradient.softmaxInPlace(p, offsets[i], offsets[i + 1] - offsets[i]);
            }
            ds = dsBuffer = atLeast(dsBuffer, n);
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
                    // A target in nats may be above what a decision with few candidates can reach.
                    target += Math.min(settings.regularizer().target(k), Math.log(k)) / b;
                }
                meanReward += decision.reward() / b;
            }
            entropy /= b;
            return loss;
        }

        /**
         * dL/dT_r = sum over decisions of c_r u(x), dL/du(x) = sum_r c_r T_r (before the step moves
         * T), dL/dbeta(a) = ds_a: into the table. Every row of every candidate is touched (lazy Adam
         * moves it), with a gradient or not, as when the gradient went through v(a).
         */
        void backward() {
            int d = settings.width();
            int b = batch.size();
            int n = offsets[b];
            double[] du = duBuffer = atLeast(duBuffer, b * d);
            Arrays.fill(du, 0, b * d, 0);
            double[] c = entryGradBuffer = atLeast(entryGradBuffer, entries);
            Arrays.fill(c, 0, entries, 0);
            for (int a = 0; a < n; a++) {
                double g = ds[a];
                if (g == 0) {
                    continue;
                }
                for (int o = occStart[a]; o < occStart[a + 1]; o++) {
                    c[occEntry[o]] += g * occValue[o];
                }
            }
            for (int i = 0; i < b; i++) {
                for (int e = entryStart[i]; e < entryStart[i + 1]; e++) {
                    if (c[e] != 0) {
                        table.addScaledRow(entryRows[e], c[e], du, i * d);
                    }
                    // Touched even with no gradient (Adam's moments move it), as every candidate's rows were.
                    table.addRowGradient(entryRows[e], c[e], u, i * d);
                }
            }
            table.backward(contexts, du, true);
            for (int a = 0; a < identities.length; a++) {
                if (ds[a] != 0) {
                    table.addGradient(identities[a], 0, ds[a]);
                }
            }
        }
    }

    /**
     * min(cap, q_now(a) / p_logged), q_now as serving draws (eligible candidates, the probability
     * floor mixed in): 1 when the decision came from the current weights.
     */
    double importanceWeight(RewardedDecision decision, double[] p, int o, int k) {
        double m = settings.minProbability();
        int n = decision.eligible() == null ? k : decision.eligible().length;
        double now = m + (1 - n * m) * OutputGradient.eligibleRow(p, o, k, decision.eligible())[decision.action()];
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
            table.writeGradient(gradientOut, 0);
            table.clearGradient();
        }
        return loss;
    }

    /** The number of parameters: the table's rows, then the context tower's bias. */
    int size() {
        return table.size();
    }

    void writeWeights(double[] into) {
        table.writeWeights(into, 0);
    }

    void readWeights(double[] from) {
        table.readWeights(from, 0);
    }

    /**
     * An immutable copy of the weights for serving, sharing every row not changed since the copy
     * published before.
     */
    public CandidateWeights weights() {
        published = new CandidateWeights(table.publish(published == null ? null : published.table()), layout);
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

    /**
     * The action tower's vectors v(a) of one decision's candidates, row after row (d each), with
     * each feature's value as a step reads it ({@link Pass#actionRows}, which learns no scale here).
     */
    public double[] actionVectors(Candidate[] candidates) {
        int d = settings.width();
        double[] v = new double[candidates.length * d];
        Pass pass = new Pass(List.of(new RewardedDecision(null, null, 0, 1.0, 0.0, candidates)));
        pass.actionRows();
        for (int a = 0; a < candidates.length; a++) {
            for (int o = pass.occStart[a]; o < pass.occStart[a + 1]; o++) {
                table.addScaledRow(pass.entryRows[pass.occEntry[o]], pass.occValue[o], v, a * d);
            }
        }
        return v;
    }

    /** The candidates' own biases beta(a). */
    public double[] identityBiases(Candidate[] candidates) {
        double[] beta = new double[candidates.length];
        for (int a = 0; a < beta.length; a++) {
            beta[a] = table.row(candidates[a].identity(), 0);
        }
        return beta;
    }

    /** The context tower's vector u(x). */
    public double[] contextVector(Context context) {
        double[] u = new double[settings.width()];
        table.forward(List.of(context), u, true);
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

    /** As the fixed-action learner: a non-finite loss or an absurd gradient (of the first n scores) skips the batch. */
    private static boolean usable(double loss, double[] ds, int n) {
        if (!Double.isFinite(loss)) {
            return false;
        }
        for (int a = 0; a < n; a++) {
            if (!(Math.abs(ds[a]) < 1e15)) {
                return false;
            }
        }
        return true;
    }

    /** a when it holds n numbers, else a new array that does (what it held is not kept: a step overwrites it). */
    private static double[] atLeast(double[] a, int n) {
        return a.length >= n ? a : new double[Math.max(n, a.length + a.length / 2)];
    }

    private static int[] atLeast(int[] a, int n) {
        return a.length >= n ? a : new int[Math.max(n, a.length + a.length / 2)];
    }

    private static float[] atLeast(float[] a, int n) {
        return a.length >= n ? a : new float[Math.max(n, a.length + a.length / 2)];
    }

    private static boolean[] atLeast(boolean[] a, int n) {
        return a.length >= n ? a : new boolean[Math.max(n, a.length + a.length / 2)];
    }

}
