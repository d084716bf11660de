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
 * One agent of an experiment, written {@code type[:lambda][:previous][:target=H][:step=eta]}, for
 * example {@code none}, {@code entropy:0.25}, {@code js:0.5:previous}, {@code entropy:0:target=0.8}.
 */
public record Agent(String label, RegularizerType type, double lambda, ReferenceKind reference, Double target,
                    double step) {

    public static Agent parse(String spec) {
        String[] parts = spec.split(":");
        RegularizerType type = RegularizerType.parse(parts[0]);
        if (type == null) {
            throw new IllegalArgumentException("unknown regularizer '" + parts[0] + "' in agent " + spec);
        }
        double lambda = type == RegularizerType.NONE ? 0 : RegularizerSettings.DEFAULT_LAMBDA;
        ReferenceKind reference = ReferenceKind.UNIFORM;
        Double target = null;
        double step = RegularizerSettings.DEFAULT_LAMBDA_STEP;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("previous")) {
                reference = ReferenceKind.PREVIOUS;
            } else if (p.startsWith("target=")) {
                target = Double.parseDouble(p.substring(7));
            } else if (p.startsWith("step=")) {
                step = Double.parseDouble(p.substring(5));
            } else {
                lambda = Double.parseDouble(p);
            }
        }
        return new Agent(spec, type, lambda, reference, target, step);
    }

    public PolicyConfig config(int contextDimension, int actions, int batchSize, double learningRate, long seed,
                               String baseline) {
        return new PolicyConfig(contextDimension, ActionSet.ofCount(actions), List.of(32, 32), learningRate, batchSize,
                new RegularizerSettings(type, lambda, reference, target, step, RegularizerSettings.DEFAULT_PREVIOUS_COUNT),
                0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, seed, BaselineKind.parse(baseline), 10.0);
    }
}
