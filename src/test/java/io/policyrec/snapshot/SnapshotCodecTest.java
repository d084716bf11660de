package io.policyrec.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.policyrec.learning.LearnerState;
import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Round trip, and snapshots that pass the checksum but do not fit their config are refused, not loaded. */
class SnapshotCodecTest {
    static final PolicyConfig CONFIG = new PolicyConfig(6, ActionSet.ofCount(4), List.of(5, 4), 0.01, 8,
            new RegularizerSettings(RegularizerType.JS, 0.1, ReferenceKind.PREVIOUS, null, 0.01, 3), 0.0,
            Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 1, BaselineKind.MEAN, 10.0);

    static StoredPolicy stored(List<float[]> previous) {
        LearnerState s = PolicyGradientLearner.create(CONFIG, DataType.FLOAT).state();
        return new StoredPolicy("p", 7, CONFIG, 3, 1, 2, 0.5, new LearnerState(s.params(), s.optimizerState(),
                s.updates(), s.baseline(), s.baselineBatches(), s.lambda(), previous), Map.of("decisions", 12L),
                JoinState.EMPTY);
    }

    /** Sets a fresh checksum, as anyone forging a snapshot would. */
    static byte[] resealed(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        ByteBuffer.wrap(data).putLong(data.length - 8, crc.getValue());
        return data;
    }

    @Test
    void aSinkGetsTheBytesEncodeReturnsEachTimeFromOneReusedBuffer() throws Exception {
        StoredPolicy s = stored(List.of(new float[(int) CONFIG.parameterCount()]));
        StoredPolicy other = stored(List.of());
        byte[] whole = SnapshotCodec.encode(s);
        for (StoredPolicy p : List.of(s, other, s)) {
            byte[][] got = new byte[1][];
            int n = SnapshotCodec.encode(p, (bytes, length) -> got[0] = java.util.Arrays.copyOf(bytes, length));
            assertEquals(got[0].length, n);
            assertArrayEquals(SnapshotCodec.encode(p), got[0], "what a sink gets is what encode returns");
        }
        assertArrayEquals(whole, SnapshotCodec.encode(s), "a shorter snapshot in between leaves nothing behind");
    }

    @Test
    void roundTripKeepsEverything() throws Exception {
        StoredPolicy s = stored(List.of(new float[(int) CONFIG.parameterCount()]));
        StoredPolicy back = SnapshotCodec.decode(SnapshotCodec.encode(s));
        assertArrayEquals(s.learner().params(), back.learner().params());
        assertEquals(1, back.learner().previous().size());
        assertEquals(s.positions(), back.positions());
    }

    @Test
    void theJoinRoundTripsWithItsDeferredDecisionsNotActivatedYet() throws Exception {
        StoredPolicy s = stored(List.of());
        JoinState join = new JoinState(List.of(new JoinState.Pending(10, 0, 0, Double.NEGATIVE_INFINITY, false),
                new JoinState.Pending(11, 1, 0.5, 0.5), new JoinState.Pending(12, 1, 1, 1, false)),
                List.of(new JoinState.BatchEntry(9, 1.0)));
        StoredPolicy withJoin = new StoredPolicy(s.name(), s.incarnation(), s.config(), s.version(), s.createdAt(),
                s.savedAt(), s.meanEntropy(), s.learner(), s.positions(), join);
        JoinState back = SnapshotCodec.decode(SnapshotCodec.encode(withJoin)).join();
        assertEquals(join.pending(), back.pending());
        assertEquals(join.batch(), back.batch());
        assertEquals(List.of(), back.orphans());
    }

    @Test
    void aHashedPolicyRoundTripsWithItsFeatureScalesAndContinuesBitForBit() throws Exception {
        PolicyConfig hashed = new PolicyConfig(6, ActionSet.ofCount(3), List.of(4), 0.01, 2,
                RegularizerSettings.adaptiveDefault(), 0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 2,
                BaselineKind.MEAN, 10.0).withFeatureBits(5);
        PolicyGradientLearner learner = PolicyGradientLearner.create(hashed, DataType.FLOAT);
        java.util.function.IntFunction<List<io.policyrec.learning.RewardedDecision>> batch = i -> List.of(
                new io.policyrec.learning.RewardedDecision(new io.policyrec.policy.Context(new int[] {i % 32, 31},
                        new float[] {3f * i, 1f}), null, i % 3, 0.3, 1.0),
                new io.policyrec.learning.RewardedDecision(new io.policyrec.policy.Context(new int[] {(7 * i) % 31},
                        new float[] {-2f}), null, (i + 1) % 3, 0.3, 0.0));
        for (int i = 0; i < 5; i++) {
            learner.step(batch.apply(i));
        }
        StoredPolicy s = new StoredPolicy("h", 1, hashed, 5, 1, 2, 0.5, learner.state(), Map.of(), JoinState.EMPTY);
        StoredPolicy back = SnapshotCodec.decode(SnapshotCodec.encode(s));
        assertArrayEquals(learner.state().featureScales(), back.learner().featureScales());
        assertEquals(5, back.config().featureBits());
        io.policyrec.policy.Context probe = new io.policyrec.policy.Context(new int[] {2, 31}, new float[] {4f, 1f});
        assertArrayEquals(learner.weights().logits(probe), back.served().weights().logits(probe),
                "what a replica serves from the snapshot, feature scales included");
        PolicyGradientLearner restored = PolicyGradientLearner.restore(back.config(), back.learner());
        for (int i = 5; i < 10; i++) {
            learner.step(batch.apply(i));
            restored.step(batch.apply(i));
        }
        assertArrayEquals(learner.state().params(), restored.state().params());
        assertArrayEquals(learner.state().optimizerState(), restored.state().optimizerState());
        assertArrayEquals(learner.state().changedRows(), restored.state().changedRows());
    }

    static final PolicyConfig HASHED = new PolicyConfig(6, ActionSet.ofCount(3), List.of(4), 0.01, 2,
            RegularizerSettings.adaptiveDefault(), 0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 2,
            BaselineKind.MEAN, 10.0).withFeatureBits(5);

    static List<io.policyrec.learning.RewardedDecision> hashedBatch(int... buckets) {
        List<io.policyrec.learning.RewardedDecision> batch = new java.util.ArrayList<>();
        for (int b : buckets) {
            batch.add(new io.policyrec.learning.RewardedDecision(new io.policyrec.policy.Context(new int[] {b},
                    new float[] {2f * b + 1}), null, b % 3, 0.3, b % 2));
        }
        return batch;
    }

    static void assertSameState(LearnerState expected, LearnerState actual) {
        assertArrayEquals(expected.params(), actual.params());
        assertArrayEquals(expected.optimizerState(), actual.optimizerState());
        assertArrayEquals(expected.changedRows(), actual.changedRows());
        assertArrayEquals(expected.featureScales(), actual.featureScales());
        assertEquals(expected.updates(), actual.updates());
    }

    @Test
    void aDeltaCarriesTheRowsChangedSinceItsParentAndReadsBackBitForBitOverIt() throws Exception {
        PolicyGradientLearner learner = PolicyGradientLearner.create(HASHED, DataType.FLOAT);
        learner.step(hashedBatch(1, 2, 3, 4, 5, 6));
        byte[] parentBytes = SnapshotCodec.encode(new StoredPolicy("h", 1, HASHED, 1, 1, 2, 0.5, learner.state(),
                Map.of(), JoinState.EMPTY));
        StoredPolicy parent = SnapshotCodec.decode(parentBytes);
        // As in the service: the learner goes on from the snapshot it was restored from.
        PolicyGradientLearner resumed = PolicyGradientLearner.restore(HASHED, parent.learner());
        resumed.step(hashedBatch(7, 2));
        StoredPolicy child = new StoredPolicy("h", 1, HASHED, 2, 1, 3, 0.5, resumed.state(), Map.of("d", 9L),
                JoinState.EMPTY);
        assertEquals(2, HashedRows.differing(child.learner(), parent.learner()), "the two rows the step touched");
        byte[] delta = SnapshotCodec.encodeDelta(child, parent, SnapshotCodec.checksum(parentBytes));
        StoredPolicy back = SnapshotCodec.decode(delta, (name, version, crc) -> {
            assertEquals(1, version);
            assertEquals(SnapshotCodec.checksum(parentBytes), crc);
            return parent;
        });
        assertSameState(child.learner(), back.learner());
        assertEquals(child.positions(), back.positions());
        SnapshotStoreException alone = assertThrows(SnapshotStoreException.class, () -> SnapshotCodec.decode(delta));
        org.junit.jupiter.api.Assertions.assertTrue(alone.getMessage().contains("delta"), alone.getMessage());

        // A state older than its parent (restored from an earlier version): rows go back to the seed's.
        LearnerState fresh = PolicyGradientLearner.create(HASHED, DataType.FLOAT).state();
        StoredPolicy earlier = new StoredPolicy("h", 1, HASHED, 3, 1, 4, 0.5, fresh, Map.of(), JoinState.EMPTY);
        StoredPolicy reset = SnapshotCodec.decode(SnapshotCodec.encodeDelta(earlier, parent,
                SnapshotCodec.checksum(parentBytes)), (name, version, crc) -> parent);
        assertSameState(fresh, reset.learner());
        assertEquals(0, reset.learner().changedRowCount());
    }

    /** A policy over action features: 2^5 context rows, 2 x 2^4 action and identity rows, towers 3 wide. */
    static final PolicyConfig CANDIDATES = new PolicyConfig(6, ActionSet.ofCount(3), List.of(3), 0.01, 2,
            RegularizerSettings.candidateDefault(), 0.0, Duration.ofSeconds(30), 0.0, RewardAggregation.EARLIEST, 2,
            BaselineKind.MEAN, 10.0).withFeatureBits(5).withActionFeatures(4);

    static List<io.policyrec.learning.RewardedDecision> candidateBatch(int... seeds) {
        io.policyrec.policy.CandidateLayout layout = CANDIDATES.candidateLayout();
        List<io.policyrec.learning.RewardedDecision> batch = new java.util.ArrayList<>();
        for (int b : seeds) {
            io.policyrec.policy.Candidate[] candidates = new io.policyrec.policy.Candidate[3];
            for (int a = 0; a < 3; a++) {
                candidates[a] = layout.candidate((b + a) % 16, new io.policyrec.policy.Context(
                        new int[] {a, 8 + b % 8}, new float[] {1f, 0.5f * b + 1}));
            }
            batch.add(new io.policyrec.learning.RewardedDecision(new io.policyrec.policy.Context(new int[] {b % 32},
                    new float[] {2f * b + 1}), null, b % 3, 0.3, b % 2, candidates));
        }
        return batch;
    }

    @Test
    void aPolicyOverActionFeaturesRoundTripsAsWholeAndDeltaAndContinuesBitForBit() throws Exception {
        assertEquals(List.of(), CANDIDATES.problems());
        io.policyrec.learning.Learner learner = io.policyrec.learning.Learner.create(CANDIDATES);
        learner.step(candidateBatch(1, 2, 3, 4));
        byte[] parentBytes = SnapshotCodec.encode(new StoredPolicy("c", 1, CANDIDATES, 1, 1, 2, 0.5, learner.state(),
                Map.of(), JoinState.EMPTY));
        StoredPolicy parent = SnapshotCodec.decode(parentBytes);
        assertSameState(learner.state(), parent.learner());
        assertEquals(CANDIDATES, parent.config());
        io.policyrec.learning.Learner resumed = io.policyrec.learning.Learner.restore(CANDIDATES, parent.learner());
        resumed.step(candidateBatch(5));
        learner.step(candidateBatch(5));
        assertSameState(learner.state(), resumed.state());
        StoredPolicy child = new StoredPolicy("c", 1, CANDIDATES, 2, 1, 3, 0.5, resumed.state(), Map.of(),
                JoinState.EMPTY);
        StoredPolicy back = SnapshotCodec.decode(SnapshotCodec.encodeDelta(child, parent,
                SnapshotCodec.checksum(parentBytes)), (name, version, crc) -> parent);
        assertSameState(child.learner(), back.learner());
        // What a replica serves from the snapshot scores as the learner does.
        io.policyrec.policy.PolicySnapshot served = back.served();
        io.policyrec.policy.PolicySnapshot live = resumed.served("c", 1, CANDIDATES, 1);
        io.policyrec.learning.RewardedDecision probe = candidateBatch(9).get(0);
        assertArrayEquals(live.distribution(probe.context(), probe.candidates(), null),
                served.distribution(probe.context(), probe.candidates(), null));
    }

    @Test
    void earlierPoliciesThatDoNotFitTheConfigAreRefused() {
        byte[] wrongLength = resealed(SnapshotCodec.encode(stored(List.of(new float[5]))));
        assertThrows(SnapshotStoreException.class, () -> SnapshotCodec.decode(wrongLength));
        List<float[]> tooMany = java.util.Collections.nCopies(CONFIG.regularizer().previousCount() + 1,
                new float[(int) CONFIG.parameterCount()]);
        byte[] many = SnapshotCodec.encode(stored(tooMany));
        assertThrows(SnapshotStoreException.class, () -> SnapshotCodec.decode(many));
    }

    @Test
    void aForgedArrayLengthIsRefusedBeforeAllocating() {
        byte[] data = SnapshotCodec.encode(stored(List.of()));
        // The params array is the first that holds parameterCount doubles: find its length field.
        int count = (int) CONFIG.parameterCount();
        ByteBuffer b = ByteBuffer.wrap(data);
        int at = -1;
        for (int i = 0; i + 4 <= data.length - 8; i++) {
            if (b.getInt(i) == count) {
                at = i;
                break;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(at > 0, "length field found");
        b.putInt(at, 200_000_000);
        byte[] forged = resealed(data);
        SnapshotStoreException e = assertThrows(SnapshotStoreException.class, () -> SnapshotCodec.decode(forged));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("bad array length"), e.getMessage());
    }
}
