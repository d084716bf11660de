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
    void roundTripKeepsEverything() throws Exception {
        StoredPolicy s = stored(List.of(new float[(int) CONFIG.parameterCount()]));
        StoredPolicy back = SnapshotCodec.decode(SnapshotCodec.encode(s));
        assertArrayEquals(s.learner().params(), back.learner().params());
        assertEquals(1, back.learner().previous().size());
        assertEquals(s.positions(), back.positions());
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
