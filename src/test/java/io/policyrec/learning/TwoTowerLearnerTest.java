package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.CandidateWeights;
import io.policyrec.policy.Context;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.TableRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A policy over action features: its gradient against finite differences (through the softmax
 * over each decision's own candidates, the regularizer, eligible subsets and the identity biases),
 * what a step touches, and the scores a new action starts from.
 */
class TwoTowerLearnerTest {
    static final int BITS = 4;
    static final CandidateLayout LAYOUT = new CandidateLayout(BITS, BITS);

    static TwoTowerLearner.Settings settings(RegularizerSettings regularizer) {
        return new TwoTowerLearner.Settings(BITS, BITS, 3, 0.01, regularizer, BaselineKind.MEAN, 10.0, 5);
    }

    static RegularizerSettings entropy(double lambda) {
        return new RegularizerSettings(RegularizerType.ENTROPY, lambda, ReferenceKind.UNIFORM, null, 0.01, 5);
    }

    /** 1 to 3 active buckets of 16, values of mixed sign and size. */
    static Context sparse(Random random) {
        TreeMap<Integer, Float> active = new TreeMap<>();
        int n = 1 + random.nextInt(3);
        while (active.size() < n) {
            active.put(random.nextInt(1 << BITS), (float) (random.nextGaussian() * 3));
        }
        float[] values = new float[active.size()];
        int i = 0;
        for (float v : active.values()) {
            values[i++] = v;
        }
        return new Context(active.keySet().stream().mapToInt(Integer::intValue).toArray(), values);
    }

    /** Decisions over 2 to 5 candidates each (identities 0 to 7), some with an eligible subset. */
    static List<RewardedDecision> batch(Random random, int rows) {
        List<RewardedDecision> batch = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            Candidate[] candidates = new Candidate[2 + random.nextInt(4)];
            for (int a = 0; a < candidates.length; a++) {
                candidates[a] = LAYOUT.candidate(random.nextInt(8), sparse(random));
            }
            int[] eligible = b % 3 == 0 ? new int[] {0, candidates.length - 1} : null;
            int action = eligible == null ? random.nextInt(candidates.length) : eligible[random.nextInt(2)];
            batch.add(new RewardedDecision(sparse(random), eligible, action, 0.1 + 0.5 * random.nextDouble(),
                    random.nextGaussian(), candidates));
        }
        return batch;
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        TwoTowerLearner learner = TwoTowerLearner.create(settings(entropy(0.3)));
        Random random = new Random(8);
        for (int i = 0; i < 20; i++) {
            learner.step(batch(random, 8));
        }
        List<RewardedDecision> batch = batch(new Random(1), 8);
        double[] importance = new double[batch.size()];
        Arrays.fill(importance, 0.8);
        double[] theta = new double[learner.size()];
        learner.writeWeights(theta);
        double[] analytic = new double[learner.size()];
        learner.lossAndGradient(batch, importance, analytic);
        double norm = 0;
        for (int i = 0; i < theta.length; i++) {
            // Single precision: step far enough to move a float, and divide by the step it took.
            double h = 1e-3;
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[i] += h;
            minus[i] -= h;
            double step = (double) (float) plus[i] - (double) (float) minus[i];
            learner.readWeights(plus);
            double up = learner.lossAndGradient(batch, importance, null);
            learner.readWeights(minus);
            double down = learner.lossAndGradient(batch, importance, null);
            double numeric = (up - down) / step;
            double scale = Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            assertTrue(Math.abs(numeric - analytic[i]) <= 1e-2 * scale + 1e-5,
                    "parameter " + i + ": analytic " + analytic[i] + " numeric " + numeric);
            norm += analytic[i] * analytic[i];
        }
        learner.readWeights(theta);
        assertTrue(norm > 1e-6, "the batch has a gradient");
    }

    @Test
    void aStepMovesOnlyTheRowsItsBatchTouched() {
        TwoTowerLearner learner = TwoTowerLearner.create(settings(entropy(0.1)));
        // Away from the start, where every score is 0 and the regularizer's gradient vanishes.
        Random random = new Random(3);
        for (int i = 0; i < 5; i++) {
            learner.step(batch(random, 8));
        }
        List<RewardedDecision> batch = batch(random, 4);
        double[] before = new double[learner.size()];
        learner.writeWeights(before);
        learner.step(batch);
        double[] after = new double[learner.size()];
        learner.writeWeights(after);
        int width = 3;
        boolean[] touched = new boolean[LAYOUT.rows()];
        for (RewardedDecision d : batch) {
            for (int i : d.context().indices()) {
                touched[i] = true;
            }
            for (Candidate c : d.candidates()) {
                for (int i : c.features().indices()) {
                    touched[i] = true;
                }
            }
        }
        for (int r = 0; r < LAYOUT.rows(); r++) {
            boolean identity = r >= LAYOUT.contextRows() + LAYOUT.actionRows();
            for (int j = 0; j < (identity ? 1 : width); j++) {
                boolean moved = before[r * width + j] != after[r * width + j];
                if (!identity) {
                    assertEquals(touched[r], moved, "row " + r + " moved iff touched");
                }
            }
        }
        for (RewardedDecision d : batch) {
            for (Candidate c : d.candidates()) {
                int at = c.identity() * width;
                assertTrue(before[at] != after[at], "the bias of identity row " + c.identity() + " moved");
                assertEquals(before[at + 1], after[at + 1], 0.0, "an identity row's other columns stay");
            }
        }
        for (int r = LAYOUT.contextRows() + LAYOUT.actionRows(); r < LAYOUT.rows(); r++) {
            final int row = r;
            boolean drawn = batch.stream().anyMatch(d -> Arrays.stream(d.candidates()).anyMatch(c -> c.identity() == row));
            if (!drawn) {
                assertEquals(before[r * width], after[r * width], 0.0, "identity row " + r + " untouched");
            }
        }
    }

    @Test
    void aNewActionIsScoredByItsFeaturesAloneFromTheStart() {
        TwoTowerLearner learner = TwoTowerLearner.create(settings(entropy(0.1)));
        Random random = new Random(4);
        for (int i = 0; i < 50; i++) {
            learner.step(batch(random, 8));
        }
        Context context = sparse(random);
        Context features = sparse(random);
        // The same features under an identity the batches used and two they never used (8 and up).
        double[] s = learner.scores(context, new Candidate[] {
            LAYOUT.candidate(3, features), LAYOUT.candidate(14, features), LAYOUT.candidate(15, features)});
        assertEquals(s[1], s[2], 0.0, "new actions with the same features score the same");
        assertTrue(Math.abs(s[0] - s[1]) > 1e-4, "a known action has learned a bias of its own: " + s[0] + " " + s[1]);
        CandidateWeights served = learner.weights();
        TableRows rows = served.table().rows();
        assertEquals(0f, rows.row(LAYOUT.candidate(15, features).identity())[0], "a new identity's bias starts at 0");
        assertTrue(rows.row(LAYOUT.candidate(3, features).identity())[0] != 0f);
    }

    /**
     * A feature enters by its spread across the candidates, not its magnitude
     * ({@link io.policyrec.policy.ActionValues}): shifting it by 1,000 for every candidate (a price in
     * another unit's offset, a tempo against another origin) learns the same policy. With values
     * scaled by their magnitude, the shifted learner saw differences a tenth as large.
     */
    @Test
    void aFeatureShiftedForEveryCandidateLearnsTheSamePolicy() {
        TwoTowerLearner plain = TwoTowerLearner.create(settings(entropy(0.1)));
        TwoTowerLearner shifted = TwoTowerLearner.create(settings(entropy(0.1)));
        Random random = new Random(11);
        for (int step = 0; step < 40; step++) {
            List<RewardedDecision> a = new ArrayList<>();
            List<RewardedDecision> b = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Context context = sparse(random);
                float[] tempo = new float[4];
                for (int c = 0; c < tempo.length; c++) {
                    tempo[c] = (float) (120 + 30 * random.nextGaussian());
                }
                int action = random.nextInt(tempo.length);
                double reward = tempo[action] > 120 ? 1 : -1;
                a.add(new RewardedDecision(context, null, action, 0.25, reward, tempoCandidates(tempo, 0f)));
                b.add(new RewardedDecision(context, null, action, 0.25, reward, tempoCandidates(tempo, 1000f)));
            }
            plain.step(a);
            shifted.step(b);
        }
        Context context = sparse(random);
        float[] tempo = {90f, 115f, 125f, 160f};
        double[] p = plain.scores(context, tempoCandidates(tempo, 0f));
        double[] q = shifted.scores(context, tempoCandidates(tempo, 1000f));
        assertTrue(p[3] - p[0] > 0.1, "learned to prefer a higher tempo: " + Arrays.toString(p));
        for (int c = 1; c < tempo.length; c++) {
            assertEquals(p[c] - p[0], q[c] - q[0], 1e-3 * (1 + Math.abs(p[c] - p[0])), "candidate " + c + " against 0");
        }
    }

    /**
     * An action bucket's scale moves on one step in 100 (its first deviation sets it at once), so
     * that the served weights share the learner's scale array in between: it holds every bucket,
     * and a step that writes it makes the next publish copy it.
     */
    @Test
    void actionScalesMoveOnOneStepInAHundredSoThatPublishingSharesThemInBetween() {
        TwoTowerLearner learner = TwoTowerLearner.create(settings(entropy(0.1)));
        Random random = new Random(12);
        Context context = new Context(new int[] {1}, new float[] {1f});
        float[][] published = new float[101][];
        for (int step = 0; step <= 100; step++) {
            List<RewardedDecision> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                float[] tempo = new float[4];
                for (int c = 0; c < tempo.length; c++) {
                    tempo[c] = (float) (120 + 30 * random.nextGaussian());
                }
                batch.add(new RewardedDecision(context, null, 0, 0.25, 1, tempoCandidates(tempo, 0f)));
            }
            learner.step(batch);
            published[step] = learner.weights().table().scales();
        }
        int tempoRow = LAYOUT.contextRows() + 2;
        assertTrue(published[0][tempoRow] > 0f, "the first step set the tempo's scale");
        for (int step = 1; step < 100; step++) {
            assertSame(published[step - 1], published[step], "step " + step + " wrote no scale");
        }
        assertNotSame(published[99], published[100]);
        assertTrue(published[99][tempoRow] != published[100][tempoRow], "step 100 moved the tempo's scale");
    }

    /**
     * A decision whose candidates all have the same value of a feature says nothing of its spread,
     * though its float mean may differ from the value by rounding (0.1 over 7 candidates): the
     * scale stays unset, and the first decision where the value differs sets it to its candidates'
     * mean deviation, though its step (the second) is not one that moves scales.
     */
    @Test
    void aFeatureAllCandidatesShareLeavesItsScaleAndOneThatDiffersSetsIt() {
        TwoTowerLearner learner = TwoTowerLearner.create(settings(entropy(0.1)));
        Context context = new Context(new int[] {1}, new float[] {1f});
        int row = LAYOUT.contextRows() + 3;
        Candidate[] same = new Candidate[7];
        for (int a = 0; a < same.length; a++) {
            same[a] = LAYOUT.candidate(a, new Context(new int[] {3}, new float[] {0.1f}));
        }
        learner.step(List.of(new RewardedDecision(context, null, 0, 1.0 / 7, 1, same)));
        assertEquals(0f, learner.weights().table().scales()[row], "no spread learned from equal values");
        Candidate[] differ = new Candidate[] {
            LAYOUT.candidate(0, new Context(new int[] {3}, new float[] {0f})),
            LAYOUT.candidate(1, new Context(new int[] {3}, new float[] {0.3f})),
            LAYOUT.candidate(2, new Context(new int[] {3}, new float[] {0.9f}))};
        learner.step(List.of(new RewardedDecision(context, null, 0, 1.0 / 3, 1, differ)));
        assertEquals(1f / 3, learner.weights().table().scales()[row], 1e-6f,
                "the mean of |0 - 0.4|, |0.3 - 0.4| and |0.9 - 0.4|, not one candidate's");
    }

    /** Candidates with a tempo (bucket 2) plus offset and an indicator every one has (bucket 5). */
    private static Candidate[] tempoCandidates(float[] tempo, float offset) {
        Candidate[] c = new Candidate[tempo.length];
        for (int a = 0; a < c.length; a++) {
            c[a] = LAYOUT.candidate(a, new Context(new int[] {2, 5}, new float[] {tempo[a] + offset, 1f}));
        }
        return c;
    }

    @Test
    void servingScoresAreTheLearnersAndPublishingSharesUnchangedRows() {
        TwoTowerLearner learner = TwoTowerLearner.create(settings(entropy(0.1)));
        Random random = new Random(6);
        for (int i = 0; i < 10; i++) {
            learner.step(batch(random, 8));
        }
        CandidateWeights first = learner.weights();
        List<RewardedDecision> next = batch(random, 2);
        learner.step(next);
        CandidateWeights second = learner.weights();
        for (int t = 0; t < 20; t++) {
            Context context = sparse(random);
            Candidate[] candidates = batch(random, 1).get(0).candidates();
            double[] served = new double[candidates.length];
            second.scores(context, candidates, served);
            assertArrayEquals(learner.scores(context, candidates), served, 1e-5);
        }
        boolean[] touched = new boolean[1 << BITS];
        for (RewardedDecision d : next) {
            for (int i : d.context().indices()) {
                touched[i] = true;
            }
        }
        for (int r = 0; r < touched.length; r++) {
            assertEquals(!touched[r], first.table().rows().row(r) == second.table().rows().row(r),
                    "context row " + r + " shared iff not changed by the step");
        }
    }

    @Test
    void aStepOverManyIdentitiesGrowsItsGradientBuffer() {
        // 300 identities: more rows than the gradient buffer starts with (64), identities last.
        CandidateLayout wide = new CandidateLayout(8, 9);
        TwoTowerLearner learner = TwoTowerLearner.create(new TwoTowerLearner.Settings(8, 9, 3, 0.01, entropy(0.1),
                BaselineKind.MEAN, 10.0, 5));
        Random random = new Random(9);
        List<RewardedDecision> batch = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            Candidate[] candidates = new Candidate[10];
            for (int a = 0; a < candidates.length; a++) {
                candidates[a] = wide.candidate(b * 10 + a, new Context(new int[] {a}, new float[] {1f}));
            }
            batch.add(new RewardedDecision(new Context(new int[] {b}, new float[] {1f}), null, b % 10, 0.1,
                    b % 2 == 0 ? 1.0 : -1.0, candidates));
        }
        learner.step(batch);
        learner.step(batch);
        double[] s = learner.identityBiases(batch.get(29).candidates());
        assertTrue(Arrays.stream(s).allMatch(beta -> beta != 0), "every identity drawn from has a bias now");
    }

    @Test
    void aDecisionDrawnFromTheCurrentWeightsHasImportanceWeightOneWithAProbabilityFloor() {
        double floor = 0.05;
        TwoTowerLearner learner = TwoTowerLearner.create(new TwoTowerLearner.Settings(BITS, BITS, 3, 0.01,
                entropy(0.1), BaselineKind.MEAN, 10.0, 5, floor));
        Random random = new Random(12);
        for (int i = 0; i < 10; i++) {
            learner.step(batch(random, 8));
        }
        RewardedDecision d = batch(random, 3).get(1);
        double[] p = learner.scores(d.context(), d.candidates());
        OutputGradient.softmaxInPlace(p, 0, p.length);
        int n = d.candidates().length;
        // As serving draws: the floor mixed in (io.policyrec.policy.ActionDistribution).
        double served = floor + (1 - n * floor) * p[d.action()];
        RewardedDecision logged = new RewardedDecision(d.context(), null, d.action(), served, 1.0, d.candidates());
        assertEquals(1.0, learner.importanceWeight(logged, p, 0, n), 1e-9);
    }

    @Test
    void thePreviousPoliciesReferenceIsRefused() {
        RegularizerSettings previous = new RegularizerSettings(RegularizerType.KL, 0.1, ReferenceKind.PREVIOUS, null,
                0.01, 5);
        assertThrows(IllegalArgumentException.class, () -> settings(previous));
    }

    /** The batch with every reward set to r. */
    static List<RewardedDecision> rewarded(List<RewardedDecision> batch, double r) {
        List<RewardedDecision> out = new ArrayList<>();
        for (RewardedDecision d : batch) {
            out.add(new RewardedDecision(d.context(), d.eligible(), d.action(), d.loggedProbability(), r, d.candidates()));
        }
        return out;
    }

    @Test
    void aStepLeavesNothingForTheNextInItsReusedArrays() {
        // No regularizer and no baseline: a batch rewarded 0 has a zero gradient for every score,
        // so it must change nothing, after a larger batch that filled the step's arrays.
        TwoTowerLearner.Settings s = new TwoTowerLearner.Settings(BITS, BITS, 3, 0.01, null, BaselineKind.NONE, 10.0, 5);
        TwoTowerLearner learner = TwoTowerLearner.create(s);
        Random random = new Random(4);
        learner.step(batch(random, 12));
        TwoTowerLearner fresh = TwoTowerLearner.restore(s, learner.state());
        List<RewardedDecision> small = batch(random, 3);
        learner.step(rewarded(small, 0.0));
        fresh.step(rewarded(small, 0.0));
        double[] reused = new double[learner.size()];
        double[] alone = new double[fresh.size()];
        learner.writeWeights(reused);
        fresh.writeWeights(alone);
        assertArrayEquals(alone, reused, "the learner that stepped before moves as one restored from its state");
        List<RewardedDecision> next = batch(random, 5);
        learner.step(next);
        fresh.step(next);
        learner.writeWeights(reused);
        fresh.writeWeights(alone);
        assertArrayEquals(alone, reused);
    }
}
