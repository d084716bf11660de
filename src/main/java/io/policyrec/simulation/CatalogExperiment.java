package io.policyrec.simulation;

import io.policyrec.features.FeatureHash;
import io.policyrec.features.NamedFeatures;
import io.policyrec.learning.OutputGradient;
import io.policyrec.learning.RewardedDecision;
import io.policyrec.learning.TwoTowerLearner;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A policy over action features learning Spotify's tracks ({@link SpotifyCatalog}) in process:
 * batches of fresh contexts, each action drawn from the policy over the served tracks and
 * rewarded by the paper's rule, and optionally a catalog change mid-stream (some served tracks
 * replaced by tracks never served). Evaluated on held-out contexts as the fixed-action experiment
 * is (greedy reward, top-5 accuracy), plus what the catalog change needs: the share of draws that
 * go to the tracks added by the change.
 */
public final class CatalogExperiment {
    /** Held-out contexts per evaluation, as the Vowpal Wabbit runs this is compared with. */
    public static final int TEST_CONTEXTS = 2_000;

    /**
     * @param run     what to learn, for how long, and when the catalog changes
     * @param swapAt  the update after which {@code swapCount} served tracks are replaced (-1: never)
     */
    public record Run(TwoTowerLearner.Settings settings, int updates, int batchSize, int evaluateEvery, int swapAt,
                      int swapCount, long seed) {
    }

    /**
     * One evaluation on the held-out contexts (the tracks served at that moment).
     *
     * @param expectedReward mean reward of the stochastic policy (exact expectation over its draws)
     * @param tracksUsed     served tracks with at least 0.5% of the draws
     * @param newShare       share of the draws that go to tracks added by the catalog change
     * @param bestReward     mean reward of the best served track: what greedy reward can reach
     */
    public record Point(long updates, long interactions, double greedyReward, double topFive, double expectedReward,
                        double entropy, int tracksUsed, double newShare, double lambda, double bestReward) {
    }

    private CatalogExperiment() {
    }

    public static List<Point> run(SpotifyCatalog catalog, Run run) {
        TwoTowerLearner.Settings s = run.settings();
        TwoTowerLearner learner = TwoTowerLearner.create(s);
        SplittableRandom random = new SplittableRandom(run.seed());
        List<SpotifyCatalog.Track> served = catalog.served();
        Candidate[] candidates = candidates(served, s.layout());
        Set<String> added = new HashSet<>();
        List<SpotifyCatalog.Sample> test = catalog.testSet(TEST_CONTEXTS, 1_000_003L);
        List<Point> points = new ArrayList<>();
        points.add(evaluate(learner, catalog, test, candidates, served, added, s.contextBits(), 0, run.batchSize()));
        for (int u = 1; u <= run.updates(); u++) {
            List<RewardedDecision> batch = new ArrayList<>(run.batchSize());
            for (int i = 0; i < run.batchSize(); i++) {
                SpotifyCatalog.Sample sample = catalog.draw(random);
                Context context = context(sample, s.contextBits());
                double[] p = learner.scores(context, candidates);
                OutputGradient.softmaxInPlace(p, 0, p.length);
                int a = draw(p, random.nextDouble());
                batch.add(new RewardedDecision(context, null, a, p[a], sample.rewards()[a], candidates));
            }
            learner.step(batch);
            if (u % run.evaluateEvery() == 0 || u == run.swapAt()) {
                points.add(evaluate(learner, catalog, test, candidates, served, added, s.contextBits(), u,
                        run.batchSize()));
            }
            if (u == run.swapAt()) {
                for (SpotifyCatalog.Track t : catalog.replace(run.swapCount(), random)) {
                    added.add(t.id());
                }
                served = catalog.served();
                candidates = candidates(served, s.layout());
                test = catalog.testSet(TEST_CONTEXTS, 1_000_003L);
                points.add(evaluate(learner, catalog, test, candidates, served, added, s.contextBits(), u,
                        run.batchSize()));
            }
        }
        return points;
    }

    static Candidate[] candidates(List<SpotifyCatalog.Track> tracks, CandidateLayout layout) {
        Candidate[] c = new Candidate[tracks.size()];
        int bits = layout.actionBits();
        for (int a = 0; a < c.length; a++) {
            SpotifyCatalog.Track t = tracks.get(a);
            c[a] = layout.candidate(FeatureHash.bucket(t.id(), bits), NamedFeatures.hash(
                    SpotifyCatalog.actionFeatures(t), "actions[" + a + "]", bits, NamedFeatures.DEFAULT_LIMITS));
        }
        return c;
    }

    static Context context(SpotifyCatalog.Sample sample, int bits) {
        return NamedFeatures.hash(SpotifyCatalog.contextFeatures(sample.likes()), "features", bits,
                NamedFeatures.DEFAULT_LIMITS);
    }

    private static Point evaluate(TwoTowerLearner learner, SpotifyCatalog catalog, List<SpotifyCatalog.Sample> test,
                                  Candidate[] candidates, List<SpotifyCatalog.Track> served, Set<String> added,
                                  int contextBits, long updates, int batchSize) {
        int k = candidates.length;
        double[] v = learner.actionVectors(candidates);
        double[] beta = learner.identityBiases(candidates);
        int d = v.length / k;
        HeldOutTally tally = new HeldOutTally(served, added);
        for (SpotifyCatalog.Sample sample : test) {
            double[] u = learner.contextVector(context(sample, contextBits));
            double[] p = new double[k];
            for (int a = 0; a < k; a++) {
                double s = beta[a];
                for (int j = 0; j < d; j++) {
                    s += u[j] * v[a * d + j];
                }
                p[a] = s;
            }
            int argmax = 0;
            int above = 0;
            for (int a = 0; a < k; a++) {
                if (p[a] > p[argmax]) {
                    argmax = a;
                }
                if (p[a] > p[sample.best()]) {
                    above++;
                }
            }
            OutputGradient.softmaxInPlace(p, 0, p.length);
            tally.add(sample, p, argmax, above < 5);
        }
        return new Point(updates, updates * batchSize, tally.greedyReward(), tally.topFive(), tally.expectedReward(),
                tally.entropy(), tally.tracksUsed(), tally.newShare(), learner.lambda(), tally.bestReward());
    }

    /** The action a uniform u in [0, 1) draws from a distribution p (the last one if rounding leaves u past the sum). */
    public static int draw(double[] p, double u) {
        double c = 0;
        for (int a = 0; a < p.length; a++) {
            c += p[a];
            if (u < c) {
                return a;
            }
        }
        return p.length - 1;
    }
}
