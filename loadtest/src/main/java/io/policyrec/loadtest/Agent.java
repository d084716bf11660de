package io.policyrec.loadtest;

import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.List;

/**
 * One agent of an experiment, written
 * {@code type[:lambda][:previous][:target=H][:ratio=R][:step=eta][:max=M][:features=B]}, for example
 * {@code none}, {@code entropy:0.25}, {@code js:0.5:previous}, {@code entropy:0:target=0.8},
 * {@code entropy:0.1:ratio=0.4}; or {@code default[:features=B]}: the regularizer a policy created
 * without one gets. {@code features=B} makes the policy read the environment's named contexts,
 * hashed into 2^B buckets, instead of its dense vectors.
 */
public record Agent(String label, RegularizerType type, double lambda, ReferenceKind reference, Double target,
                    double step, Double ratio, double max, int featureBits) {

    public static Agent parse(String spec) {
        if (spec.equals("default") || spec.startsWith("default:features=")) {
            RegularizerSettings d = RegularizerSettings.adaptiveDefault();
            int bits = spec.equals("default") ? 0 : Integer.parseInt(spec.substring("default:features=".length()));
            return new Agent(spec, d.type(), d.lambda(), d.reference(), d.targetEntropy(), d.lambdaStep(),
                    d.targetEntropyRatio(), d.lambdaMax(), bits);
        }
        String[] parts = spec.split(":");
        RegularizerType type = RegularizerType.parse(parts[0]);
        if (type == null) {
            throw new IllegalArgumentException("unknown regularizer '" + parts[0] + "' in agent " + spec);
        }
        double lambda = type == RegularizerType.NONE ? 0 : RegularizerSettings.DEFAULT_LAMBDA;
        ReferenceKind reference = ReferenceKind.UNIFORM;
        Double target = null;
        Double ratio = null;
        double max = RegularizerSettings.DEFAULT_LAMBDA_MAX;
        double step = RegularizerSettings.DEFAULT_LAMBDA_STEP;
        int bits = 0;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("previous")) {
                reference = ReferenceKind.PREVIOUS;
            } else if (p.startsWith("target=")) {
                target = Double.parseDouble(p.substring(7));
            } else if (p.startsWith("ratio=")) {
                ratio = Double.parseDouble(p.substring(6));
            } else if (p.startsWith("max=")) {
                max = Double.parseDouble(p.substring(4));
            } else if (p.startsWith("step=")) {
                step = Double.parseDouble(p.substring(5));
            } else if (p.startsWith("features=")) {
                bits = Integer.parseInt(p.substring(9));
            } else {
                lambda = Double.parseDouble(p);
            }
        }
        return new Agent(spec, type, lambda, reference, target, step, ratio, max, bits);
    }

    /** The agent a user gets who names only the context (or its input) and the actions. */
    public boolean isDefault() {
        return label.startsWith("default");
    }

    public boolean namedFeatures() {
        return featureBits > 0;
    }

    /** The policy config of this agent; the default agent takes the service's defaults but for the batch size. */
    public PolicyConfig config(int contextDimension, int actions, int batchSize, double learningRate, long seed,
                               String baseline) {
        PolicyConfig dense = denseConfig(contextDimension, actions, batchSize, learningRate, seed, baseline);
        PolicyConfig config = namedFeatures() ? dense.withFeatureBits(featureBits) : dense;
        if (!config.problems().isEmpty()) {
            throw new IllegalArgumentException("agent " + label + ": " + config.problems());
        }
        return config;
    }

    private PolicyConfig denseConfig(int contextDimension, int actions, int batchSize, double learningRate, long seed,
                                     String baseline) {
        if (isDefault()) {
            return new PolicyConfig(contextDimension, ActionSet.ofCount(actions), PolicyConfig.DEFAULT_HIDDEN,
                    PolicyConfig.DEFAULT_LEARNING_RATE, batchSize, RegularizerSettings.adaptiveDefault(), 0.0,
                    Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, seed, BaselineKind.MEAN,
                    PolicyConfig.DEFAULT_IMPORTANCE_CAP);
        }
        return new PolicyConfig(contextDimension, ActionSet.ofCount(actions), List.of(32, 32), learningRate, batchSize,
                new RegularizerSettings(type, lambda, reference, target, step, RegularizerSettings.DEFAULT_PREVIOUS_COUNT,
                        RegularizerSettings.DEFAULT_PREVIOUS_EVERY, ratio, max),
                0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, seed, BaselineKind.parse(baseline), 10.0);
    }
}
