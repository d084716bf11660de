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
 * One agent of an experiment, written {@code type[:lambda][:previous][:target=H][:ratio=R][:step=eta][:max=M]},
 * for example {@code none}, {@code entropy:0.25}, {@code js:0.5:previous}, {@code entropy:0:target=0.8},
 * {@code entropy:0.1:ratio=0.4}; or {@code default}: the regularizer a policy created without one gets.
 */
public record Agent(String label, RegularizerType type, double lambda, ReferenceKind reference, Double target,
                    double step, Double ratio, double max) {

    public static Agent parse(String spec) {
        if (spec.equals("default")) {
            RegularizerSettings d = RegularizerSettings.adaptiveDefault();
            return new Agent(spec, d.type(), d.lambda(), d.reference(), d.targetEntropy(), d.lambdaStep(),
                    d.targetEntropyRatio(), d.lambdaMax());
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
            } else {
                lambda = Double.parseDouble(p);
            }
        }
        return new Agent(spec, type, lambda, reference, target, step, ratio, max);
    }

    /** The agent a user gets who names only the context and the actions. */
    public boolean isDefault() {
        return label.equals("default");
    }

    /** The policy config of this agent; the default agent takes the service's defaults but for the batch size. */
    public PolicyConfig config(int contextDimension, int actions, int batchSize, double learningRate, long seed,
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
