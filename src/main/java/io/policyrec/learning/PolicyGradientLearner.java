package io.policyrec.learning;

import io.policyrec.policy.ActionDistribution;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.policy.PolicyWeights;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.TableRows;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batch REINFORCE with a regularizer, one policy, one thread.
 *
 * <p>Each step is a short pipeline: forward pass (one matrix product per layer), output gradient
 * ({@link OutputGradient}), backward pass (two products per layer, one for the first), then Adam
 * on the flat gradient ({@link AdamOptimizer}). The weights, activations and gradients live in
 * ND4J arrays and the products run in the BLAS under ND4J ({@link Blas}); the element-wise work
 * on B x width arrays (bias, ReLU, softmax, masks) runs in plain Java, because each ND4J call costs
 * 5-20 us of fixed overhead here, more than the arithmetic of these small arrays.
 *
 * <p>A policy over hashed named features keeps its first layer in a {@link HashedInputLayer} (an
 * embedding bag with lazy Adam, in plain Java: sparse rows are no work for a BLAS); the layers
 * after it, the head, run as above. The flat parameter vector of {@link #state()} keeps the
 * layout of the whole network either way.
 *
 * <p>Not thread-safe: one learner thread owns it. What serving reads comes out of
 * {@link #weights()} as an immutable copy (copy-on-write of the changed rows for a hashed layer).
 */
public final class PolicyGradientLearner implements Learner {
    private final PolicyConfig config;
    private final NetworkLayout layout;
    private final PolicyNetwork network;
    private final INDArray gradient;
    private final INDArray[] gradWeights;
    private final AdamOptimizer adam;
    private final Regularizer regularizer;
    private final double regularizerSign;
    private final RunningBaseline baseline;
    private final Deque<Earlier> previous = new ArrayDeque<>();
    private final Map<Integer, Workspace> workspaces = new HashMap<>();
    private final Parameters params;
    private final HashedInputLayer hashed;
    private PolicyWeights published;
    private double lambda;
    private long updates;
    private long skippedSteps;

    private PolicyGradientLearner(PolicyConfig config, double[] params, DataType dataType, AdamOptimizer adam,
                                  HashedInputLayer hashed, long updates, RunningBaseline baseline, double lambda) {
        this.hashed = hashed;
        this.params = Parameters.of(params, dataType);
        this.network = PolicyNetwork.fromFlat(networkWidths(config), this.params.toDoubles(), dataType);
        this.config = config;
        this.layout = network.layout();
        DataType dt = network.dataType();
        this.gradient = Nd4j.create(dt, 1, layout.size());
        this.gradWeights = new INDArray[layout.layers()];
        for (int l = 0; l < layout.layers(); l++) {
            gradWeights[l] = PolicyNetwork.weightView(gradient, layout, l);
        }
        this.adam = adam;
        RegularizerSettings r = config.regularizer();
        this.regularizer = Regularizers.of(r.type());
        // Towards the uniform distribution the regularizer pulls; against earlier policies it pushes away.
        this.regularizerSign = r.reference() == ReferenceKind.PREVIOUS ? -1.0 : 1.0;
        this.baseline = baseline;
        this.lambda = lambda;
        this.updates = updates;
    }

    /** A fresh learner with weights drawn from the config's seed. */
    public static PolicyGradientLearner create(PolicyConfig config, DataType dataType) {
        HashedInputLayer hashed = null;
        double[] initial;
        if (config.hashed()) {
            double[] afterRows = PolicyNetwork.initialParamsAfterHashedTable(config.layerWidths(), config.seed());
            hashed = hashedLayer(config, new float[config.contextDimension()][], afterRows, null, null);
            initial = java.util.Arrays.copyOfRange(afterRows, hashed.width(), afterRows.length);
        } else {
            initial = PolicyNetwork.initialParams(config.layerWidths(), config.seed(), false);
        }
        AdamOptimizer adam = dataType == DataType.FLOAT ? AdamOptimizer.forFloats(config.learningRate(), initial.length)
                : AdamOptimizer.forDoubles(config.learningRate(), initial.length);
        return new PolicyGradientLearner(config, initial, dataType, adam, hashed, 0, new RunningBaseline(),
                config.regularizer().lambda());
    }

    /**
     * A hashed first layer: the seed's rows with the changed ones laid over them, and the bias at
     * the start of {@code afterRows} (with its moments in {@code moments}, or none).
     */
    private static HashedInputLayer hashedLayer(PolicyConfig config, float[][] changedRows, double[] afterRows,
                                                double[] moments, float[] scales) {
        return new HashedInputLayer(config.contextDimension(), config.hiddenLayers().get(0),
                PolicyNetwork.initialHashedTable(config.layerWidths(), config.seed()), changedRows, afterRows,
                moments, scales, config.learningRate());
    }

    /** A learner that continues exactly from a saved state. */
    public static PolicyGradientLearner restore(PolicyConfig config, LearnerState state) {
        double[] head = state.params();
        double[] headMoments = state.optimizerState();
        HashedInputLayer hashed = null;
        if (config.hashed()) {
            // The state holds [bias | head] after the rows; the learner's own vector is the head.
            hashed = hashedLayer(config, state.changedRows(), head, headMoments, state.featureScales());
            int width = hashed.width();
            int headSize = head.length - width;
            double[] moments = new double[2 * headSize];
            System.arraycopy(headMoments, width, moments, 0, headSize);
            System.arraycopy(headMoments, head.length + width, moments, headSize, headSize);
            head = java.util.Arrays.copyOfRange(head, width, head.length);
            headMoments = moments;
        }
        PolicyGradientLearner learner = new PolicyGradientLearner(config, head, DataType.FLOAT,
                AdamOptimizer.fromState(config.learningRate(), headMoments, true), hashed, state.updates(),
                new RunningBaseline(state.baseline(), state.baselineBatches()), state.lambda());
        for (float[] p : state.previous()) {
            learner.previous.addLast(new Earlier(p, PolicyWeights.fromFlat(config.layerWidths(), p)));
        }
        return learner;
    }

    public PolicyConfig config() {
        return config;
    }

    public long updates() {
        return updates;
    }

    public double lambda() {
        return lambda;
    }

    public double baseline() {
        return baseline.value();
    }

    /** The widths the dense part of the network runs: all of them, or those after a hashed first layer. */
    private static int[] networkWidths(PolicyConfig config) {
        int[] widths = config.layerWidths();
        return config.hashed() ? java.util.Arrays.copyOfRange(widths, 1, widths.length) : widths;
    }

    /**
     * An immutable copy of the current weights for serving. A hashed first layer is shared with the
     * copy published before, but for the rows changed since, which are copied: publishing costs
     * what changed, not 2^bits rows.
     */
    public PolicyWeights weights() {
        PolicyWeights head = PolicyWeights.fromFlat(layout.widths(), params.toFloats());
        if (hashed == null) {
            return head;
        }
        TableRows rows = hashed.publishRows(published == null ? null : published.firstLayerRows());
        published = head.withHashedFirstLayer(rows, hashed.bias(), hashed.publishedScales());
        return published;
    }

    /**
     * The full state, to persist and restore exactly. A hashed first layer gives its changed rows
     * copy-on-write ({@link HashedInputLayer#changedRows()}): this costs the rows changed since the
     * last call, not 2^bits rows.
     */
    public LearnerState state() {
        List<float[]> prev = new ArrayList<>();
        for (Earlier e : previous) {
            prev.add(e.flat());
        }
        if (hashed == null) {
            return new LearnerState(params.toDoubles(), adam.state(), updates,
                    baseline.value(), baseline.batches(), lambda, prev);
        }
        // [bias | head] and its [m | v], the flat layout after the rows.
        double[][] head = hashed.headState(params.toDoubles(), adam.state());
        return new LearnerState(head[0], head[1], updates, baseline.value(), baseline.batches(), lambda, prev,
                hashed.scales(), hashed.changedRows());
    }

    /**
     * Remembers the current weights as one of the earlier policies the "previous" reference mixes
     * (the last M are kept). {@link #step} does this every {@code previousEvery} updates.
     */
    public void rememberCurrentAsPrevious() {
        float[] flat = params.toFloats();
        previous.addLast(new Earlier(flat, PolicyWeights.fromFlat(layout.widths(), flat)));
        while (previous.size() > config.regularizer().previousCount()) {
            previous.removeFirst();
        }
    }

    public int previousCount() {
        return previous.size();
    }

    @Override
    public PolicySnapshot served(String name, long incarnation, PolicyConfig config, long createdAt) {
        return new PolicySnapshot(name, incarnation, config, updates, updates, weights(), lambda, createdAt);
    }

    /** One gradient step on a batch; returns what it saw. */
    @Override
    public StepReport step(List<RewardedDecision> batch) {
        if (hashed != null) {
            hashed.learnScales(HashedInputLayer.contexts(batch));
        }
        Workspace ws = workspace(batch.size());
        double[] p = forward(ws, batch);
        double[] importance = importanceWeights(p, batch);
        double[] reference = referenceDistributions(batch);
        double loss = OutputGradient.lossAndGradient(p, layout.actions(), batch, importance, baseline.value(),
                regularizer, regularizerSign * lambda, reference, ws.dz);
        boolean usable = sane(loss, ws.dz, batch.size() * layout.actions());
        if (usable) {
            backward(ws, batch);
            params.step(adam, gradient, layout, ws.biasGradient, updates);
            params.copyTo(network.params());
            if (hashed != null) {
                hashed.step(updates);
            }
            updates++;
        } else {
            skippedSteps++;
        }

        double meanEntropy = OutputGradient.meanEntropy(p, batch.size(), layout.actions());
        double meanReward = 0;
        for (RewardedDecision d : batch) {
            meanReward += d.reward();
        }
        meanReward /= batch.size();
        double usedBaseline = baseline.value();
        if (!usable) {
            return new StepReport(updates, batch.size(), loss, meanEntropy, meanReward, usedBaseline, lambda, false);
        }
        if (config.baseline() == io.policyrec.policy.BaselineKind.MEAN) {
            baseline.add(meanReward);
        }
        RegularizerSettings r = config.regularizer();
        if (r.adaptive()) {
            lambda = AdaptiveLambda.next(lambda, r.lambdaStep(), r.target(layout.actions()), meanEntropy,
                    r.lambdaMax());
        }
        if (r.reference() == ReferenceKind.PREVIOUS && updates % r.previousEvery() == 0) {
            rememberCurrentAsPrevious();
        }
        return new StepReport(updates, batch.size(), loss, meanEntropy, meanReward, usedBaseline, lambda, true);
    }

    /**
     * Output gradients this large come only from absurd rewards (the intakes bound them far lower);
     * the float weights and Adam's squared gradients would overflow into NaN, so such a batch is
     * skipped rather than allowed to ruin the policy.
     */
    private static final double MAX_OUTPUT_GRADIENT = 1e15;

    private static boolean sane(double loss, double[] dz, int n) {
        if (!Double.isFinite(loss)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(dz[i]) < MAX_OUTPUT_GRADIENT)) {
                return false;
            }
        }
        return true;
    }

    /** Batches skipped because their gradient was not usable (see {@link #MAX_OUTPUT_GRADIENT}). */
    public long skippedSteps() {
        return skippedSteps;
    }

    /**
     * w_b = min(c, q_now(a_b|x_b) / p_logged_b), with q_now the distribution serving would draw from
     * now (same mask and floor): 1 when the decision came from the current weights.
     */
    double[] importanceWeights(double[] p, List<RewardedDecision> batch) {
        int k = layout.actions();
        double[] w = new double[batch.size()];
        double m = config.minProbability();
        for (int b = 0; b < w.length; b++) {
            RewardedDecision d = batch.get(b);
            double[] pe = OutputGradient.eligibleRow(p, b * k, k, d.eligible());
            int n = d.eligible() == null ? k : d.eligible().length;
            double now = m + (1 - n * m) * pe[d.action()];
            w[b] = d.loggedProbability() > 0 ? Math.min(config.importanceWeightCap(), now / d.loggedProbability())
                    : config.importanceWeightCap();
        }
        return w;
    }

    /** The mixture of the earlier policies on each context, or null for the uniform reference. */
    double[] referenceDistributions(List<RewardedDecision> batch) {
        if (regularizerSign > 0 || previous.isEmpty()) {
            return null;
        }
        int k = layout.actions();
        double[] ref = new double[batch.size() * k];
        for (int b = 0; b < batch.size(); b++) {
            for (Earlier e : previous) {
                double[] q = ActionDistribution.of(e.weights().logits(batch.get(b).context()), null, 0.0);
                for (int a = 0; a < k; a++) {
                    ref[b * k + a] += q[a] / previous.size();
                }
            }
        }
        return ref;
    }

    // ---- the network passes ----

    /** Forward pass over the batch; returns the softmax probabilities (B x K) and keeps activations. */
    private double[] forward(Workspace ws, List<RewardedDecision> batch) {
        int rows = batch.size();
        if (hashed != null) {
            double[] h = ws.hashedActivation;
            hashed.forward(HashedInputLayer.contexts(batch), h);
            for (int i = 0; i < h.length; i++) {
                if (h[i] < 0) {
                    h[i] = 0;
                }
            }
            NativeBuffers.write(ws.input[0], h, ws.scratch);
        } else {
            NativeBuffers.putRows(ws.input[0], batch, d -> d.context().values());
        }
        int layers = layout.layers();
        for (int l = 0; l < layers; l++) {
            Blas.gemm(ws.input[l], false, network.weights(l), false, ws.z[l]);
            double[] z = ws.activation[l];
            NativeBuffers.read(ws.z[l], z, ws.scratch);
            int out = layout.out(l);
            int biasOffset = (int) layout.biasOffsets()[l];
            boolean hidden = l + 1 < layers;
            for (int b = 0; b < rows; b++) {
                for (int j = 0; j < out; j++) {
                    double v = z[b * out + j] + params.get(biasOffset + j);
                    z[b * out + j] = hidden && v < 0 ? 0 : v;
                }
            }
            if (hidden) {
                NativeBuffers.write(ws.input[l + 1], z, ws.scratch);
            }
        }
        double[] logits = ws.activation[layers - 1];
        double[] p = new double[logits.length];
        OutputGradient.softmax(logits, rows, layout.actions(), p);
        return p;
    }

    /** Backward pass from ws.dz (dL/dz of the output layer) into the flat gradient. */
    private void backward(Workspace ws, List<RewardedDecision> batch) {
        int rows = batch.size();
        double[] dz = ws.dz;
        for (int l = layout.layers() - 1; l >= 0; l--) {
            int out = layout.out(l);
            NativeBuffers.write(ws.delta[l], dz, ws.scratch);
            Blas.gemm(ws.input[l], true, ws.delta[l], false, gradWeights[l]);
            double[] biasGradient = ws.biasGradient[l];
            java.util.Arrays.fill(biasGradient, 0.0);
            for (int b = 0; b < rows; b++) {
                for (int j = 0; j < out; j++) {
                    biasGradient[j] += dz[b * out + j];
                }
            }
            if (l > 0) {
                Blas.gemm(ws.delta[l], false, network.weights(l), true, ws.inputGrad[l]);
                double[] da = ws.backward[l];
                NativeBuffers.read(ws.inputGrad[l], da, ws.scratch);
                double[] h = ws.activation[l - 1];
                for (int i = 0; i < da.length; i++) {
                    if (h[i] <= 0) {
                        da[i] = 0;
                    }
                }
                dz = da;
            } else if (hashed != null) {
                // Through the head's input into the hashed layer: dL/dz0 = (delta W^T) masked by ReLU.
                Blas.gemm(ws.delta[0], false, network.weights(0), true, ws.inputGrad[0]);
                double[] da = ws.hashedGradient;
                NativeBuffers.read(ws.inputGrad[0], da, ws.scratch);
                double[] h = ws.hashedActivation;
                for (int i = 0; i < da.length; i++) {
                    if (h[i] <= 0) {
                        da[i] = 0;
                    }
                }
                hashed.backward(HashedInputLayer.contexts(batch), da);
            }
        }
    }

    private Workspace workspace(int rows) {
        Workspace ws = workspaces.get(rows);
        if (ws == null) {
            if (workspaces.size() >= 4) {
                workspaces.clear();
            }
            ws = new Workspace(layout, network.dataType(), rows, hashed != null);
            workspaces.put(rows, ws);
        }
        return ws;
    }

    /** Preallocated ND4J arrays for one batch size: the learner allocates nothing large per step. */
    private static final class Workspace {
        final INDArray[] input;
        final INDArray[] z;
        final INDArray[] delta;
        final INDArray[] inputGrad;
        final double[][] activation;
        final double[][] backward;
        final double[][] biasGradient;
        final float[] scratch;
        final double[] dz;
        final double[] hashedActivation;
        final double[] hashedGradient;

        Workspace(NetworkLayout layout, DataType dt, int rows, boolean hashedInput) {
            int layers = layout.layers();
            input = new INDArray[layers];
            z = new INDArray[layers];
            delta = new INDArray[layers];
            inputGrad = new INDArray[layers];
            activation = new double[layers][];
            backward = new double[layers][];
            biasGradient = new double[layers][];
            int widest = 0;
            for (int l = 0; l < layers; l++) {
                activation[l] = new double[rows * layout.out(l)];
                backward[l] = new double[rows * layout.in(l)];
                biasGradient[l] = new double[layout.out(l)];
                widest = Math.max(widest, Math.max(layout.out(l), l > 0 ? layout.in(l) : 0));
                input[l] = Nd4j.create(dt, rows, layout.in(l));
                z[l] = Nd4j.create(dt, rows, layout.out(l));
                delta[l] = Nd4j.create(dt, rows, layout.out(l));
                if (l > 0 || hashedInput) {
                    inputGrad[l] = Nd4j.create(dt, rows, layout.in(l));
                }
            }
            dz = new double[rows * layout.actions()];
            hashedActivation = hashedInput ? new double[rows * layout.in(0)] : null;
            hashedGradient = hashedInput ? new double[rows * layout.in(0)] : null;
            if (hashedInput) {
                widest = Math.max(widest, layout.in(0));
            }
            scratch = new float[rows * widest];
        }
    }

    // ---- for gradient checks ----

    /** The loss at the given parameters with fixed importance weights (no update). */
    double lossAt(double[] flatParams, List<RewardedDecision> batch, double[] importance) {
        setParams(flatParams);
        Workspace ws = workspace(batch.size());
        double[] p = forward(ws, batch);
        return OutputGradient.lossAndGradient(p, layout.actions(), batch, importance, baseline.value(),
                regularizer, regularizerSign * lambda, referenceDistributions(batch), ws.dz);
    }

    /** The analytic gradient at the current parameters with fixed importance weights. */
    double[] gradientAt(double[] flatParams, List<RewardedDecision> batch, double[] importance) {
        lossAt(flatParams, batch, importance);
        Workspace ws = workspace(batch.size());
        if (hashed != null) {
            hashed.clearGradient();
        }
        backward(ws, batch);
        double[] head = params.gradient(gradient, layout, ws.biasGradient);
        if (hashed == null) {
            return head;
        }
        double[] all = new double[hashed.size() + head.length];
        hashed.writeGradient(all, 0);
        System.arraycopy(head, 0, all, hashed.size(), head.length);
        return all;
    }

    /** The whole flat parameter vector, in the network's layout. */
    double[] params() {
        double[] head = params.toDoubles();
        if (hashed == null) {
            return head;
        }
        double[] all = new double[hashed.size() + head.length];
        hashed.writeWeights(all, 0);
        System.arraycopy(head, 0, all, hashed.size(), head.length);
        return all;
    }

    private void setParams(double[] flat) {
        if (hashed != null) {
            hashed.readWeights(flat, 0);
            flat = java.util.Arrays.copyOfRange(flat, hashed.size(), flat.length);
        }
        params.set(flat);
        params.copyTo(network.params());
    }

    /** Grows a hashed layer's scales with a batch, as a step does first (gradient checks). */
    void learnScales(List<RewardedDecision> batch) {
        if (hashed != null) {
            hashed.learnScales(HashedInputLayer.contexts(batch));
        }
    }

    /** An earlier policy: its flat parameters (to persist) and its serving form (to evaluate). */
    private record Earlier(float[] flat, PolicyWeights weights) {
    }
}
