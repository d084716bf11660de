package io.policyrec.loadtest.bench;

import io.policyrec.learning.RewardedDecision;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RewardAggregation;
import io.policyrec.simulation.ClassificationBandit;
import io.policyrec.simulation.Sample;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The benchmarks' common ground: the paper's 784x32x32x10 policy and Fashion-MNIST-like contexts. */
public final class BenchSupport {
    private BenchSupport() {
    }

    public static PolicyConfig config(int batchSize) {
        return config(batchSize, "PT30S");
    }

    public static PolicyConfig config(int batchSize, String window) {
        return new PolicyConfig(784, ActionSet.ofCount(10), List.of(32, 32), 0.001, batchSize,
                RegularizerSettings.defaults(), 0.0, Duration.parse(window), 0.0, RewardAggregation.EARLIEST, 1,
                BaselineKind.MEAN, 10.0);
    }

    /** Fashion-MNIST test images when the Debian package is installed, else random images half zeros. */
    public static float[][] contexts(int n) {
        try {
            if (Files.isDirectory(ClassificationBandit.FASHION_MNIST)) {
                List<Sample> test = ClassificationBandit.fromFolder("fashion-mnist", ClassificationBandit.FASHION_MNIST)
                        .testSet();
                float[][] x = new float[n][];
                for (int i = 0; i < n; i++) {
                    x[i] = test.get(i % test.size()).context();
                }
                return x;
            }
        } catch (Exception e) {
            // fall through to synthetic contexts
        }
        SplittableRandom r = new SplittableRandom(1);
        float[][] x = new float[n][784];
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = r.nextDouble() < 0.5 ? 0f : (float) r.nextDouble();
            }
        }
        return x;
    }

    public static List<RewardedDecision> batch(float[][] contexts, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<RewardedDecision> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(new RewardedDecision(io.policyrec.policy.Context.dense(contexts[r.nextInt(contexts.length)]), null, r.nextInt(10), 0.1,
                    r.nextBoolean() ? 1.0 : -1.0 / 9));
        }
        return batch;
    }
}
