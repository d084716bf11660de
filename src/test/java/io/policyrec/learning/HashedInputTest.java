package io.policyrec.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyWeights;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A policy over hashed named features: its sparse first layer against the dense network on the
 * same encoding, its gradient against finite differences, its lazy Adam against the dense step,
 * and its state against an exact restore.
 */
class HashedInputTest {
    static final int BITS = 4;

    static PolicyConfig config(long seed) {
        return new PolicyConfig(6, ActionSet.ofCount(4), List.of(5, 4), 0.01, 8,
                RegularizerSettings.adaptiveDefault(), 0.02, Duration.ofSeconds(30), 0.0,
                RewardAggregation.EARLIEST, seed, BaselineKind.MEAN, 10.0).withFeatureBits(BITS);
    }

    /** 1 to 4 active buckets of 16, numeric values of mixed sign and size. */
    static Context sparse(Random random) {
        TreeMap<Integer, Float> active = new TreeMap<>();
        int n = 1 + random.nextInt(4);
        while (active.size() < n) {
            active.put(random.nextInt(1 << BITS), (float) (random.nextGaussian() * 5));
        }
        return new Context(active.keySet().stream().mapToInt(Integer::intValue).toArray(), floats(active.values()));
    }

    static float[] floats(java.util.Collection<Float> values) {
        float[] f = new float[values.size()];
        int i = 0;
        for (float v : values) {
            f[i++] = v;
        }
        return f;
    }

    static List<RewardedDecision> batch(Random random, int rows) {
        List<RewardedDecision> batch = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            int[] eligible = b % 3 == 0 ? new int[] {0, 2, 3} : null;
            int action = eligible == null ? random.nextInt(4) : eligible[random.nextInt(3)];
            batch.add(new RewardedDecision(sparse(random), eligible, action, 0.1 + 0.5 * random.nextDouble(),
                    random.nextGaussian()));
        }
        return batch;
    }

    @Test
    void theSparseFirstLayerIsTheDenseNetworkOnTheSameEncoding() {
        PolicyGradientLearner learner = PolicyGradientLearner.create(config(3), DataType.FLOAT);
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            learner.step(batch(random, 8));
        }
        PolicyWeights served = learner.weights();
        float[] flat = new float[learner.params().length];
        double[] p = learner.params();
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) p[i];
        }
        PolicyWeights dense = PolicyWeights.fromFlat(config(3).layerWidths(), flat);
        for (int t = 0; t < 50; t++) {
            Context c = sparse(random);
            // Each value enters its bucket as x / max(scale, |x|): the dense input holds that there.
            float[] scaled = new float[1 << BITS];
            for (int f = 0; f < c.size(); f++) {
                int i = c.indices()[f];
                scaled[i] = c.values()[f] / Math.max(served.scale(i), Math.abs(c.values()[f]));
            }
            assertArrayEquals(dense.logits(scaled), served.logits(c), 1e-5);
        }
        // Buckets no step has scaled yet read indicators as they are: a one-hot encoding.
        PolicyGradientLearner fresh = PolicyGradientLearner.create(config(4), DataType.FLOAT);
        double[] q = fresh.params();
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) q[i];
        }
        PolicyWeights freshDense = PolicyWeights.fromFlat(config(4).layerWidths(), flat);
        for (int t = 0; t < 20; t++) {
            Context c = sparse(random);
            float[] oneHot = new float[1 << BITS];
            float[] ones = new float[c.size()];
            Arrays.fill(ones, 1f);
            for (int i : c.indices()) {
                oneHot[i] = 1f;
            }
            assertArrayEquals(freshDense.logits(oneHot), fresh.weights().logits(new Context(c.indices(), ones)), 1e-5);
        }
    }

    @Test
    void sparseGradientMatchesFiniteDifferences() {
        PolicyGradientLearner learner = PolicyGradientLearner.create(config(11), DataType.DOUBLE);
        Random random = new Random(8);
        for (int i = 0; i < 5; i++) {
            learner.step(batch(random, 8));
        }
        List<RewardedDecision> batch = batch(new Random(1), 8);
        learner.learnScales(batch);
        double[] importance = new double[batch.size()];
        Arrays.fill(importance, 0.8);
        double[] theta = learner.params();
        double[] analytic = learner.gradientAt(theta, batch, importance);
        int hashedSize = (1 << BITS) * 5 + 5;
        double norm = 0;
        for (int i = 0; i < theta.length; i++) {
            // The hashed layer is single precision: step far enough to move a float, and divide by
            // the step the floats actually took.
            double h = i < hashedSize ? 1e-5 : 1e-6;
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[i] += h;
            minus[i] -= h;
            double step = i < hashedSize ? (double) (float) plus[i] - (double) (float) minus[i] : 2 * h;
            double numeric = (learner.lossAt(plus, batch, importance) - learner.lossAt(minus, batch, importance))
                    / step;
            double scale = Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            assertTrue(Math.abs(numeric - analytic[i]) <= 2e-3 * scale + 1e-6,
                    "parameter " + i + (i < hashedSize ? " (hashed layer)" : "") + ": analytic " + analytic[i]
                            + " numeric " + numeric);
            if (i < hashedSize) {
                norm += analytic[i] * analytic[i];
            }
        }
        assertTrue(norm > 0, "the hashed layer has a gradient");
    }

    @Test
    void lazyAdamMovesTouchedRowsExactlyAsTheDenseStep() {
        int rows = 1 << BITS;
        int width = 5;
        int size = rows * width + width;
        Random random = new Random(9);
        double[] init = new double[size];
        for (int i = 0; i < init.length; i++) {
            init[i] = random.nextGaussian() * 0.1;
        }
        float[] seedRows = new float[rows * width];
        for (int i = 0; i < seedRows.length; i++) {
            seedRows[i] = (float) init[i];
        }
        HashedInputLayer lazy = new HashedInputLayer(rows, width, seedRows, new float[rows][],
                Arrays.copyOfRange(init, rows * width, size), null, null, 0.01);
        boolean anyUntouchedMoved = false;
        for (int step = 0; step < 3; step++) {
            // The dense step starts from the lazy layer's state: weights, moments and gradient.
            double[] w = new double[size];
            double[] moments = new double[2 * size];
            lazy.writeWeights(w, 0);
            float[][] changed = lazy.changedRows();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; changed[r] != null && j < width; j++) {
                    moments[r * width + j] = changed[r][width + j];
                    moments[size + r * width + j] = changed[r][2 * width + j];
                }
            }
            List<RewardedDecision> batch = batch(random, 4);
            double[] dz = new double[batch.size() * width];
            for (int i = 0; i < dz.length; i++) {
                dz[i] = random.nextGaussian();
            }
            lazy.learnScales(HashedInputLayer.contexts(batch));
            lazy.backward(HashedInputLayer.contexts(batch), dz);
            double[] g = new double[size];
            lazy.writeGradient(g, 0);
            int n = rows * width;
            float[] dense = new float[n];
            float[] gradient = new float[n];
            float[] m = new float[n];
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                dense[i] = (float) w[i];
                gradient[i] = (float) g[i];
                m[i] = (float) moments[i];
                v[i] = (float) moments[size + i];
            }
            boolean[] touched = new boolean[rows];
            for (RewardedDecision d : batch) {
                for (int i : d.context().indices()) {
                    touched[i] = true;
                }
            }
            AdamOptimizer dense0 = AdamOptimizer.fromState(0.01, both(m, v), true);
            dense0.apply(dense, gradient, step);
            lazy.step(step);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < width; j++) {
                    if (touched[r]) {
                        assertEquals(dense[r * width + j], lazy.row(r, j), "row " + r + " at step " + step);
                    } else {
                        assertEquals((float) w[r * width + j], lazy.row(r, j), "untouched row " + r + " kept");
                        anyUntouchedMoved |= dense[r * width + j] != lazy.row(r, j);
                    }
                }
            }
        }
        // The difference the lazy form makes: a row without gradient keeps still, where dense Adam
        // still moves it on its momentum.
        assertTrue(anyUntouchedMoved, "dense Adam moved an untouched row on momentum");
    }

    static double[] both(float[] m, float[] v) {
        double[] s = new double[m.length + v.length];
        for (int i = 0; i < m.length; i++) {
            s[i] = m[i];
            s[m.length + i] = v[i];
        }
        return s;
    }

    @Test
    void aRestoredLearnerContinuesBitForBit() {
        PolicyGradientLearner a = PolicyGradientLearner.create(config(5), DataType.FLOAT);
        Random random = new Random(10);
        for (int i = 0; i < 10; i++) {
            a.step(batch(random, 8));
        }
        PolicyGradientLearner b = PolicyGradientLearner.restore(config(5), a.state());
        assertArrayEquals(a.params(), b.params());
        for (int i = 0; i < 10; i++) {
            List<RewardedDecision> next = batch(random, 8);
            a.step(next);
            b.step(next);
        }
        assertArrayEquals(a.params(), b.params());
        assertArrayEquals(a.state().optimizerState(), b.state().optimizerState());
        assertArrayEquals(a.state().featureScales(), b.state().featureScales());
        assertArrayEquals(a.state().changedRows(), b.state().changedRows());
        Context c = sparse(random);
        assertArrayEquals(a.weights().logits(c), b.weights().logits(c));
    }

    @Test
    void publishingSharesTheRowsNoStepChanged() {
        PolicyGradientLearner learner = PolicyGradientLearner.create(config(6), DataType.FLOAT);
        PolicyWeights before = learner.weights();
        List<RewardedDecision> one = List.of(new RewardedDecision(new Context(new int[] {3}, new float[] {1f}), null,
                1, 0.25, 1.0));
        learner.step(one);
        PolicyWeights after = learner.weights();
        for (int r = 0; r < 1 << BITS; r++) {
            if (r == 3) {
                assertFalse(Arrays.equals(before.firstLayerRows().row(r), after.firstLayerRows().row(r)), "row 3 learned");
            } else {
                assertTrue(before.firstLayerRows().row(r) == after.firstLayerRows().row(r), "row " + r + " shared");
            }
        }
        assertEquals(1f, after.scale(3));
    }

    /**
     * What a snapshot store relies on to write deltas: a state shares with the one before it every
     * first-layer row not stepped in between, and gives a new array for each row that was.
     */
    @Test
    void successiveStatesShareTheRowsNotSteppedBetweenThem() {
        PolicyGradientLearner learner = PolicyGradientLearner.create(config(3), DataType.FLOAT);
        assertEquals(0, learner.state().changedRowCount(), "a fresh policy is its seed");
        Random random = new Random(4);
        learner.step(batch(random, 8));
        LearnerState before = learner.state();
        Context only = new Context(new int[] {3, 9}, new float[] {1f, -2f});
        learner.step(List.of(new RewardedDecision(only, null, 1, 0.25, 1.0)));
        LearnerState after = learner.state();
        for (int r = 0; r < (1 << BITS); r++) {
            boolean stepped = r == 3 || r == 9;
            if (stepped) {
                assertTrue(after.changedRows()[r] != null && after.changedRows()[r] != before.changedRows()[r],
                        "row " + r + " was stepped: a new array");
            } else {
                assertTrue(after.changedRows()[r] == before.changedRows()[r], "row " + r + " shared");
            }
        }
        float[] row3 = after.changedRows()[3].clone();
        learner.step(List.of(new RewardedDecision(only, null, 2, 0.25, 0.0)));
        learner.state();
        assertArrayEquals(row3, after.changedRows()[3], "a given state is never modified");
    }
}
