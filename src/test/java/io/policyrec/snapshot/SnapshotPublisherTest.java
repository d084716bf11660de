package io.policyrec.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.policyrec.testing.Poll;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The publisher paces a policy's writes to its byte budget, writing the newest snapshot when the budget allows. */
class SnapshotPublisherTest {
    /** Each save "writes" a megabyte and records when it started. */
    static final class MegabyteStore extends io.policyrec.testing.StubStore {
        final List<Long> versions = new CopyOnWriteArrayList<>();
        final List<Long> startedAt = new CopyOnWriteArrayList<>();
        volatile long bytes;

        @Override
        public void save(StoredPolicy snapshot) {
            startedAt.add(System.nanoTime());
            versions.add(snapshot.version());
            bytes += 1_000_000;
        }

        @Override
        public long bytesWritten() {
            return bytes;
        }
    }

    static StoredPolicy snapshot(String name, long version) {
        StoredPolicy s = SnapshotCodecTest.stored(List.of());
        return new StoredPolicy(name, s.incarnation(), s.config(), version, 0, version, 0.5, s.learner(), Map.of(),
                JoinState.EMPTY);
    }

    @Test
    void aPolicysNextWriteWaitsForItsBytesAndThenWritesTheNewestSnapshot() throws Exception {
        MegabyteStore store = new MegabyteStore();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // 1 MB per write at 1 MB/s: the next write of the same policy starts 1 s after the last.
        try (SnapshotPublisher publisher = new SnapshotPublisher(store, meters, Duration.ofSeconds(1), 1_000_000)) {
            publisher.submit(snapshot("a", 1));
            Poll.until(() -> store.versions.size() == 1, 20_000, "the first write");
            publisher.submit(snapshot("a", 2));
            publisher.submit(snapshot("a", 3));
            publisher.submit(snapshot("b", 1));
            Poll.until(() -> store.versions.size() == 3, 20_000, "the next writes");
            assertEquals(List.of(1L, 1L, 3L), store.versions, "b at once; a's newest when its budget allows");
            long gap = store.startedAt.get(2) - store.startedAt.get(0);
            assertTrue(gap >= 1_000_000_000L, "a's second write waited for its megabyte: " + gap / 1_000_000 + " ms");
            assertEquals(3_000_000, meters.get("policyrec_snapshot_written_bytes_total").functionCounter().count());

            // A flush (shutdown, partitions revoked) does not wait for the budget.
            publisher.submit(snapshot("a", 4));
            assertTrue(publisher.flush(Duration.ofMillis(400)), "flushed within 0.4 s, before a's budget allows");
            assertEquals(4L, store.versions.get(3));
        }
    }
}
