package io.policyrec.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.learning.Nd4jRuntime;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.metrics.LearningObserver;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RewardAggregation;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.JoinState;
import io.policyrec.snapshot.SnapshotPublisher;
import io.policyrec.snapshot.StoredPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What another instance publishes is applied on the learning thread, in the order it was heard:
 * a deletion heard right after a creation removes the created policy even though the creation was
 * not yet served when the deletion arrived. (The store here is an in-memory stand-in: this checks
 * the follower's and the host's decisions, not Redis; RedisSnapshotTest and ReplicaIT do that.)
 */
class SnapshotFollowerTest {
    static final PolicyConfig CONFIG = new PolicyConfig(3, ActionSet.ofCount(3), List.of(4), 0.01, 1,
            RegularizerSettings.defaults(), 0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 5,
            BaselineKind.MEAN, 10.0);

    /** Holds the latest snapshot per policy; nothing else. */
    static final class MemoryStore extends io.policyrec.testing.StubStore {
        final Map<String, StoredPolicy> latest = new ConcurrentHashMap<>();

        @Override
        public void save(StoredPolicy snapshot) {
            latest.put(snapshot.name(), snapshot);
        }

        @Override
        public List<StoredPolicy> loadAll(boolean skipUnreadable) {
            return List.copyOf(latest.values());
        }

        @Override
        public Optional<StoredPolicy> latest(String name) {
            return Optional.ofNullable(latest.get(name));
        }

        int rollbacksMade;

        @Override
        public Optional<StoredPolicy> rollback(String name, long version) {
            rollbacksMade++;
            return Optional.empty();
        }

        @Override
        public void delete(String name) {
            latest.remove(name);
        }
    }

    MemoryStore store;
    PolicyRegistry registry;
    SnapshotPublisher publisher;
    LearningLoop host;
    SnapshotFollower follower;

    @BeforeEach
    void start() {
        Nd4jRuntime.ensureStarted();
        store = new MemoryStore();
        registry = new PolicyRegistry();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        publisher = new SnapshotPublisher(store, meters, Duration.ofSeconds(1));
        host = new LearningLoop(registry, store, publisher, new LoopSettings(1 << 20, 1000, 1000,
                Duration.ofMillis(200), Duration.ZERO, 100, Duration.ofSeconds(10), 0), meters, LearningObserver.NONE,
                Clock.systemUTC());
        host.start();
        follower = new SnapshotFollower(store, registry, host, Duration.ofHours(1), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        host.close();
        publisher.close();
    }

    static StoredPolicy elsewhere(String name, long incarnation) {
        return new StoredPolicy(name, incarnation, CONFIG, 0, 1, 1, Double.NaN,
                PolicyGradientLearner.create(CONFIG, DataType.FLOAT).state(), Map.of(), JoinState.EMPTY);
    }

    /** Completes once everything queued for the learning thread before it has run. */
    void drain() {
        host.forget("no-such-policy").join();
    }

    @Test
    void aDeletionHeardRightAfterACreationRemovesIt() {
        store.save(elsewhere("p", 41));
        follower.announced(new Announcement("p", 0, 41, Announcement.Kind.SAVED));
        store.delete("p");
        follower.announced(new Announcement("p", -1, 0, Announcement.Kind.DELETED));
        drain();
        assertNull(registry.get("p"), "created then deleted elsewhere: not served here");
        assertNull(host.learning("p"), "and not learned here");
    }

    /**
     * The snapshots a learner takes after applying a rollback made elsewhere carry the rollback's
     * count, and those taken before it do not: that is how a shared store refuses one that was
     * queued before the rollback and reached it after (RedisSnapshotTest checks the refusal).
     */
    @Test
    void aLearnerThatAppliesARollbackHeardFromElsewhereWritesAsItsDescendant() {
        store.save(elsewhere("r", 5));
        follower.announced(new Announcement("r", 0, 5, Announcement.Kind.SAVED));
        drain();
        assertNotNull(host.learning("r"), "created elsewhere, learned here");
        assertEquals(0, host.learning("r").stored(1, Map.of(), List.of()).rollbacks(), "before the rollback");
        follower.announced(new Announcement("r", 0, 5, Announcement.Kind.ROLLBACK, 3));
        drain();
        assertEquals(3, host.learning("r").stored(2, Map.of(), List.of()).rollbacks(),
                "after the policy's third rollback");
    }

    /**
     * A rollback applied as a poll found it (the latest went back, no count known) and then reported
     * by its marker as not heard: not made again (applied a moment ago), but its count is taken, or
     * every later snapshot of the learner would be refused as older than the rollback.
     */
    @Test
    void aRollbackAppliedWithoutItsCountTakesItWhenItsMarkerIsFound() {
        store.save(elsewhere("u", 8));
        follower.announced(new Announcement("u", 0, 8, Announcement.Kind.SAVED));
        drain();
        host.followed(store.latest("u").orElseThrow(), Announcement.Kind.ROLLBACK);
        drain();
        assertEquals(0, host.learning("u").stored(1, Map.of(), List.of()).rollbacks(), "no count known yet");
        assertEquals(false, host.rollBackUnheard(new Announcement("u", 0, 8, Announcement.Kind.ROLLBACK, 1)).join(),
                "applied already: not applied again");
        assertEquals(1, host.learning("u").stored(2, Map.of(), List.of()).rollbacks());
    }

    /**
     * Two rollbacks to the same version a moment apart: the second drops what was learned after the
     * first, so it is applied too (told apart by its count); the first heard again is not.
     */
    @Test
    void aSecondRollbackToTheSameVersionIsAppliedAndARepeatedOneIsNot() {
        store.save(elsewhere("w", 12));
        follower.announced(new Announcement("w", 0, 12, Announcement.Kind.SAVED));
        drain();
        host.followed(store.latest("w").orElseThrow().withRollbacks(1), Announcement.Kind.ROLLBACK);
        drain();
        var afterFirst = host.learning("w").learner();
        host.followed(store.latest("w").orElseThrow().withRollbacks(1), Announcement.Kind.ROLLBACK);
        drain();
        org.junit.jupiter.api.Assertions.assertSame(afterFirst, host.learning("w").learner(),
                "the first rollback heard again changes nothing");
        host.followed(store.latest("w").orElseThrow().withRollbacks(2), Announcement.Kind.ROLLBACK);
        drain();
        org.junit.jupiter.api.Assertions.assertNotSame(afterFirst, host.learning("w").learner(),
                "the second rollback to the same version is applied");
        assertEquals(2, host.learning("w").stored(1, Map.of(), List.of()).rollbacks());
    }

    /**
     * A rollback this instance did not hear: the learner goes on from the store's latest (which has
     * the rollback's count) rather than from the weights the rollback replaced, whose saves the store
     * would refuse; the rollback is not made again (another learner's saves after it would go).
     */
    @Test
    void anUnheardRollbackHasTheLearnerGoOnFromTheStoresLatest() {
        store.save(elsewhere("x", 13));
        follower.announced(new Announcement("x", 0, 13, Announcement.Kind.SAVED));
        drain();
        var before = host.learning("x").learner();
        store.save(elsewhere("x", 13).withRollbacks(3));
        assertEquals(true, host.rollBackUnheard(new Announcement("x", 2, 13, Announcement.Kind.ROLLBACK, 3)).join());
        org.junit.jupiter.api.Assertions.assertNotSame(before, host.learning("x").learner(), "restored from the latest");
        assertEquals(3, host.learning("x").stored(1, Map.of(), List.of()).rollbacks());
        assertEquals(0, store.rollbacksMade, "not made again");
        assertEquals(false, host.rollBackUnheard(new Announcement("x", 2, 13, Announcement.Kind.ROLLBACK, 3)).join(),
                "in the weights now");
    }

    @Test
    void aLearnerRestoredFromAStoreKeepsTheRollbacksItDescendsFrom() {
        PolicyLearning l = PolicyLearning.restored(elsewhere("s", 9).withRollbacks(4), 1, LearningObserver.NONE);
        assertEquals(4, l.stored(1, Map.of(), List.of()).rollbacks(), "read with the latest snapshot");
        l.rollBackTo(elsewhere("s", 9).withRollbacks(6), 2);
        assertEquals(6, l.stored(2, Map.of(), List.of()).rollbacks(), "a rollback applied");
        l.rollBackTo(elsewhere("s", 9), 3);
        assertEquals(6, l.stored(3, Map.of(), List.of()).rollbacks(),
                "a rollback found without its count leaves the count known");
        long hour = 3_600_000;
        assertEquals(true, l.alreadyRolledBack(0, 7, hour), "applied without its count: the next one, however late");
        assertEquals(false, l.alreadyRolledBack(0, 8, hour), "not one counted further");
        l.descendsFrom(7);
        assertEquals(false, l.alreadyRolledBack(0, 8, hour), "counted now: a later one to the same version is new");
        l.rollBackTo(elsewhere("s", 9).withRollbacks(8), 4);
        assertEquals(true, l.alreadyRolledBack(0, 8, hour), "by its count");
        assertEquals(false, l.alreadyRolledBack(0, 9, 5), "a later rollback to the same version");
        assertEquals(true, l.alreadyRolledBack(0, 0, 5), "one without a count, just after");
        assertEquals(false, l.alreadyRolledBack(-1, 9, 5), "a marker with no version");
    }

    /**
     * A policy created on another instance and taken over here with its partition before its
     * announcement was followed (the local stack's smoke check, at c58a8f1: created on A while B
     * joined the consumer group; B learned it and answered 404 for it). Its announcement, when it
     * comes, has it served here too.
     */
    @Test
    void aPolicyLearnedHereBeforeItsAnnouncementWasFollowedIsServedWhenItIs() {
        store.save(elsewhere("t", 21));
        // As KafkaLearner.onPartitionsAssigned adopts it (a new name: LearningLoop's map is concurrent).
        host.place(PolicyLearning.restored(store.latest("t").orElseThrow(), 1, LearningObserver.NONE));
        assertNull(registry.get("t"), "learned, not served yet");
        follower.announced(new Announcement("t", 0, 21, Announcement.Kind.SAVED));
        drain();
        assertNotNull(registry.get("t"), "served once its announcement is followed");
        assertEquals(21, registry.get("t").incarnation());
    }

    @Test
    void aDeletionOfAnotherIncarnationLeavesTheServedOne() {
        store.save(elsewhere("q", 7));
        follower.announced(new Announcement("q", 0, 7, Announcement.Kind.SAVED));
        host.followedDeletion("q", java.util.OptionalLong.of(6));
        drain();
        assertNotNull(registry.get("q"), "a poll that saw the tombstone of incarnation 6 does not remove 7");
        assertEquals(7, registry.get("q").incarnation());
    }
}
