package io.policyrec.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The service's own settings, under {@code policyrec.*}. */
@ConfigMapping(prefix = "policyrec")
public interface PolicyrecConfig {

    /**
     * Policies created at start-up when no snapshot of them exists yet, by name: each a policy
     * config in properties form ({@code policyrec.policies.<name>.context-dimension=784},
     * {@code ...regularizer.target-entropy=1.0}), with the same fields as the JSON config.
     */
    Map<String, Map<String, String>> policies();

    Pending pending();

    Learner learner();

    Snapshot snapshot();

    Http http();

    Kafka kafka();

    @WithName("decision-log")
    DecisionLogSettings decisionLog();

    Personalizer personalizer();

    /** Azure Personalizer's API ({@code /personalizer/v1.0}): each loop is a policy over action features. */
    interface Personalizer {
        /** The policy behind {@code /personalizer/v1.0}; another loop is {@code /loops/{policy}/personalizer/v1.0}. */
        @WithName("default-loop")
        @WithDefault("personalizer")
        String defaultLoop();

        /**
         * Event ids callers named in Rank, remembered for a reward window per instance so that a
         * second Rank under one is refused; beyond this many the oldest are forgotten.
         */
        @WithName("remembered-event-ids")
        @WithDefault("200000")
        int rememberedEventIds();
    }

    interface DecisionLogSettings {
        /** Off: decisions are answered but neither logged nor learned from (to measure what logging costs). */
        @WithDefault("true")
        boolean enabled();
    }

    /** Names this instance in Kafka client ids and transactional ids; random when absent. */
    @WithName("instance-id")
    Optional<String> instanceId();

    interface Pending {
        /**
         * Budget for decisions waiting for their rewards (counted as their objects would weigh, kept
         * off the Java heap); the oldest are evicted beyond it.
         */
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

        /**
         * How far the learning thread gives way to requests for the CPU: its Linux nice value (1-19;
         * 0 = as an equal). It learns at full speed while a core is free, and while requests want
         * both it gets about a tenth of a request thread's share (Linux's weights at nice 10 and
         * 0: 110 and 1,024), so a learning step rarely holds a response back; its decisions wait in the
         * pending budget meanwhile. Dense /recommend held 0.73x and 0.75x of the baseline endpoint's
         * rate at 0, 1.00x twice at 10 (two A/Bs of the same load script, every decision learned).
         */
        @WithDefault("10")
        int nice();
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

        /** Versions kept per policy. */
        @WithDefault("20")
        int retain();

        /**
         * A policy's snapshots go to the store at most at this many bytes per second: after a write
         * of n bytes its next waits n / this seconds, and a newer snapshot replaces one waiting. A
         * 784x32x32x10 policy (640 KB) learning 100 updates/s stays under the default; a hashed
         * policy whose snapshot is tens of MB (2^18 buckets, 100,000 distinct features) goes out
         * every few seconds instead of every second. 0 for no limit.
         */
        @WithName("max-bytes-per-second")
        @WithDefault("4000000")
        long maxBytesPerSecond();
    }

    Redis redis();

    Metrics metrics();

    Security security();

    /** API keys, sent in the X-API-Key header. */
    interface Security {
        /** Required for creating, replacing and deleting policies, rollback, import and download. */
        @WithName("admin-key")
        Optional<String> adminKey();

        /** When set, /recommend and /feedback require one of these keys (the admin key works too). */
        @WithName("client-keys")
        Optional<List<String>> clientKeys();

        /** Refuse to start without an admin key (on in the production profile). */
        @WithName("require-admin-key")
        @WithDefault("false")
        boolean requireAdminKey();
    }

    /** The policy gauges. */
    interface Metrics {
        /** Off: no policy gauges are recorded (to measure what they cost). */
        @WithDefault("true")
        boolean enabled();

        /** Recent decisions per policy the decision gauges are computed over. */
        @WithDefault("10000")
        int window();

        /** Recent learned decisions per policy for the mean reward and the off-policy estimates. */
        @WithName("learning-window")
        @WithDefault("2000")
        int learningWindow();

        /** Above this many actions, action_share has the top actions and "other". */
        @WithName("max-action-labels")
        @WithDefault("20")
        int maxActionLabels();

        /** An action is in use above this share of recent decisions. */
        @WithName("in-use-share")
        @WithDefault("0.005")
        double inUseShare();

        /** How often action shares and off-policy estimates are recomputed. */
        @WithDefault("PT5S")
        Duration refresh();
    }

    /** The shared snapshot store, on when {@code quarkus.redis.hosts} is set. */
    interface Redis {
        /** Prefix of every key and channel (several deployments can share one Redis). */
        @WithDefault("policyrec:")
        String prefix();

        @WithDefault("PT2S")
        Duration timeout();

        /** Replicas check for new snapshots this often, in case an announcement was missed. */
        @WithName("poll-interval")
        @WithDefault("PT1S")
        Duration pollInterval();
    }

    /** The Kafka feedback path, on when {@code kafka.bootstrap.servers} is set. */
    interface Kafka {
        @WithName("decisions-topic")
        @WithDefault("policyrec.decisions")
        String decisionsTopic();

        @WithName("feedback-topic")
        @WithDefault("policyrec.feedback")
        String feedbackTopic();

        /** Checked feedback, partitioned like the decisions (internal to the service). */
        @WithName("routed-topic")
        @WithDefault("policyrec.feedback.routed")
        String routedTopic();

        @WithName("dlq-topic")
        @WithDefault("policyrec.feedback.dlq")
        String dlqTopic();

        /** Partitions of the decisions and routed topics: the unit of learning ownership. */
        @WithDefault("8")
        int partitions();

        @WithName("feedback-partitions")
        @WithDefault("8")
        int feedbackPartitions();

        @WithName("replication-factor")
        @WithDefault("1")
        short replicationFactor();

        @WithName("learner-group")
        @WithDefault("policyrec-learners")
        String learnerGroup();

        @WithName("router-group")
        @WithDefault("policyrec-feedback-router")
        String routerGroup();

        /** Decisions waiting to be written to Kafka before new ones are dropped. */
        @WithName("buffer-capacity")
        @WithDefault("50000")
        int bufferCapacity();

        /**
         * How long (in wall-clock time) the merge of decisions and rewards waits for a decision still
         * in flight before it goes on with the rewards after it: past the reward's event time, and past
         * the moment the reward reached the learner.
         */
        @WithDefault("PT0.1S")
        Duration grace();

        /**
         * How long (in event time) a reward whose decision is not in the log yet is held for it before
         * it counts as unknown: a decision reaches the log late when its serving instance's producer
         * held it through a broker restart or the instance was paused. Held rewards are saved with the
         * snapshots. 0 counts such a reward unknown at once.
         */
        @WithName("orphan-wait")
        @WithDefault("PT2M")
        Duration orphanWait();

        /**
         * Rewards held for decisions not in the log yet, per partition, at most; beyond, they are
         * unknown. Each policy snapshot of the partition carries them (about 70 bytes each).
         */
        @WithName("max-orphan-rewards")
        @WithDefault("10000")
        int maxOrphanRewards();

        /** The reward of a feedback record with no reward field (a click). */
        @WithName("click-reward")
        @WithDefault("1.0")
        double clickReward();

        @WithName("create-topics")
        @WithDefault("true")
        boolean createTopics();

        /** Off: this instance serves and logs decisions but never learns (a serving-only replica). */
        @WithName("learner-enabled")
        @WithDefault("true")
        boolean learnerEnabled();

        /** Off: this instance does not route feedback (another instance does). */
        @WithName("router-enabled")
        @WithDefault("true")
        boolean routerEnabled();

        /** How soon the group gives a dead learner's partitions to another instance. */
        @WithName("session-timeout")
        @WithDefault("PT10S")
        Duration sessionTimeout();
    }

    interface Http {
        /** Largest number of contexts in one /recommend/batch request. */
        @WithName("max-batch")
        @WithDefault("1000")
        int maxBatch();

        /** Adds POST /baseline/recommend: parses a /recommend body, answers a constant (load-test baseline). */
        @WithName("baseline-endpoint")
        @WithDefault("false")
        boolean baselineEndpoint();
    }
}
