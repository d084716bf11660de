package io.policyrec.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** The service's own settings, under {@code policyrec.*}. */
@ConfigMapping(prefix = "policyrec")
public interface PolicyrecConfig {

    /** Policies created at start-up when no snapshot of them exists yet, by name. */
    Map<String, PolicyProperties> policies();

    Pending pending();

    Learner learner();

    Snapshot snapshot();

    Http http();

    /** A policy config in properties form; absent entries take the API's defaults. */
    interface PolicyProperties {
        @WithName("context-dimension")
        int contextDimension();

        /** A number of actions, or comma-separated action ids. */
        String actions();

        @WithName("hidden-layers")
        Optional<List<Integer>> hiddenLayers();

        @WithName("learning-rate")
        OptionalDouble learningRate();

        @WithName("batch-size")
        Optional<Integer> batchSize();

        Regularizer regularizer();

        @WithName("min-probability")
        OptionalDouble minProbability();

        @WithName("reward-window")
        Optional<String> rewardWindow();

        @WithName("default-reward")
        OptionalDouble defaultReward();

        @WithName("reward-aggregation")
        Optional<String> rewardAggregation();

        OptionalLong seed();

        Optional<String> baseline();

        interface Regularizer {
            Optional<String> type();

            OptionalDouble lambda();

            Optional<String> reference();

            @WithName("target-entropy")
            OptionalDouble targetEntropy();
        }
    }

    interface Pending {
        /** Heap budget for decisions waiting for their rewards; the oldest are evicted beyond it. */
        @WithName("max-bytes")
        @WithDefault("268435456")
        long maxBytes();

        /** Finished decisions remembered to tell late and duplicate rewards from unknown ones. */
        @WithName("max-remembered")
        @WithDefault("200000")
        int maxRemembered();

        /** Decisions and rewards queued for the learner before new ones are dropped. */
        @WithName("queue-capacity")
        @WithDefault("100000")
        int queueCapacity();
    }

    interface Learner {
        /** ND4J (OpenMP and BLAS) threads for learning; 1 leaves the other core to requests. */
        @WithDefault("1")
        int threads();

        /** How often reward windows are closed and partial batches considered. */
        @WithDefault("PT0.05S")
        Duration tick();

        /** A partial batch is learned from once its oldest decision waited this long; 0 = never. */
        @WithName("max-batch-delay")
        @WithDefault("PT0.2S")
        Duration maxBatchDelay();
    }

    interface Snapshot {
        /** Folder of the embedded snapshot store. */
        @WithDefault("data/snapshots")
        String dir();

        @WithName("every-updates")
        @WithDefault("100")
        long everyUpdates();

        @WithDefault("PT10S")
        Duration interval();
    }

    interface Http {
        /** Largest number of contexts in one /recommend/batch request. */
        @WithName("max-batch")
        @WithDefault("1000")
        int maxBatch();
    }
}
