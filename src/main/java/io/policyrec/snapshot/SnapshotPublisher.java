package io.policyrec.snapshot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.policyrec.background.Worker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Writes snapshots off the learner's thread: the learner hands one over and goes on learning. A
 * newer snapshot of a policy replaces one still waiting. A failed write (the store is away) is
 * counted and retried with growing pauses; when the store is back, the latest snapshot goes out.
 * A write the store refuses (the policy was replaced or deleted meanwhile) is dropped, not retried.
 * A policy's writes are paced to a byte budget: after n bytes, its next write waits n / budget
 * seconds (newer snapshots replacing the waiting one meanwhile), so a policy whose snapshot is tens
 * of MB does not write tens of MB every second; a flush at shutdown does not wait.
 */
public final class SnapshotPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotPublisher.class);

    private final SnapshotStore store;
    private final Duration maxBackoff;
    private final LinkedHashMap<String, StoredPolicy> waiting = new LinkedHashMap<>();
    private final Map<String, Long> writtenAt = new ConcurrentHashMap<>();
    private final Counter written;
    private final Counter failed;
    private final Counter refused;
    private final Timer writeTime;
    private final Worker worker;
    private final long maxBytesPerSecond;
    /** Per policy, when its next write may start (System.nanoTime), after the last one's bytes. */
    private final Map<String, Long> notBefore = new java.util.HashMap<>();
    /** Flushes in progress: while any, the budget does not hold writes back. */
    private int flushing;
    private String inFlight;

    public SnapshotPublisher(SnapshotStore store, MeterRegistry meters, Duration maxBackoff) {
        this(store, meters, maxBackoff, 0);
    }

    /** @param maxBytesPerSecond a policy's write budget (0: none) */
    public SnapshotPublisher(SnapshotStore store, MeterRegistry meters, Duration maxBackoff, long maxBytesPerSecond) {
        this.store = store;
        this.maxBackoff = maxBackoff;
        this.maxBytesPerSecond = maxBytesPerSecond;
        this.written = Counter.builder("policyrec_snapshot_writes_total").description("Snapshots written to the store")
                .register(meters);
        this.failed = Counter.builder("policyrec_snapshot_write_failures_total")
                .description("Snapshot writes that failed and will be retried").register(meters);
        this.refused = Counter.builder("policyrec_snapshot_writes_refused_total")
                .description("Snapshots not written because their policy was replaced or deleted meanwhile")
                .register(meters);
        this.writeTime = Timer.builder("policyrec_snapshot_write").description("Time to write one snapshot")
                .publishPercentiles(0.5, 0.99).register(meters);
        Gauge.builder("policyrec_snapshot_pending", this, SnapshotPublisher::pendingCount)
                .description("Snapshots waiting to be written").register(meters);
        io.micrometer.core.instrument.FunctionCounter.builder("policyrec_snapshot_written_bytes_total", store,
                SnapshotStore::bytesWritten).description("Bytes of snapshots sent to the store").baseUnit("bytes")
                .register(meters);
        this.worker = Worker.start("policyrec-snapshot-publisher", this::run).onStop(this::wakeUp)
                .stopWithin(Duration.ofSeconds(5));
    }

    /** Queues a snapshot; a newer one of the same policy replaces it if it has not gone out yet. */
    public synchronized void submit(StoredPolicy snapshot) {
        waiting.remove(snapshot.name());
        waiting.put(snapshot.name(), snapshot);
        notifyAll();
    }

    /** Drops what waits for a policy (it was deleted or replaced), after any write of it in progress. */
    public synchronized void cancel(String name) throws InterruptedException {
        waiting.remove(name);
        while (name.equals(inFlight)) {
            wait(100);
        }
    }

    /** When a snapshot of the policy last reached the store (epoch ms), or null. */
    public Long writtenAt(String name) {
        return writtenAt.get(name);
    }

    synchronized int pendingCount() {
        return waiting.size() + (inFlight == null ? 0 : 1);
    }

    private synchronized void wakeUp() {
        notifyAll();
    }

    private void run(Worker w) throws InterruptedException {
        long backoff = 100;
        while (w.running()) {
            StoredPolicy next;
            synchronized (this) {
                String name = null;
                while (w.running() && (name = due()) == null) {
                    wait(waitMillis());
                }
                if (!w.running()) {
                    return;
                }
                next = waiting.remove(name);
                inFlight = name;
            }
            boolean ok = false;
            try {
                ok = write(next);
            } catch (Throwable e) {
                // Even an Error (out of memory encoding a huge policy) must not leave inFlight set:
                // cancel() waits for it, on the learner's thread.
                failed.increment();
                LOG.errorf(e, "Snapshot of %s not written", next.name());
            } finally {
                synchronized (this) {
                    inFlight = null;
                    if (!ok && !waiting.containsKey(next.name())) {
                        waiting.put(next.name(), next);
                    }
                    notifyAll();
                }
            }
            if (ok) {
                backoff = 100;
            } else {
                w.pause(backoff);
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            }
        }
    }

    /** The first waiting policy whose budget allows a write now (any, while flushing), or null. */
    private String due() {
        long now = System.nanoTime();
        for (String name : waiting.keySet()) {
            Long at = notBefore.get(name);
            if (flushing > 0 || at == null || at - now <= 0) {
                return name;
            }
        }
        return null;
    }

    /** Until the earliest waiting policy's budget allows a write (500 ms when nothing waits). */
    private long waitMillis() {
        long now = System.nanoTime();
        long wait = 500;
        for (String name : waiting.keySet()) {
            Long at = notBefore.get(name);
            wait = Math.min(wait, at == null ? 1 : Math.max(1, (at - now) / 1_000_000 + 1));
        }
        return wait;
    }

    private boolean write(StoredPolicy s) {
        try {
            long start = System.nanoTime();
            long bytesBefore = store.bytesWritten();
            boolean saved = store.saveLearned(s);
            long bytes = store.bytesWritten() - bytesBefore;
            if (maxBytesPerSecond > 0 && bytes > 0) {
                synchronized (this) {
                    notBefore.put(s.name(), System.nanoTime() + bytes * 1_000_000_000L / maxBytesPerSecond);
                }
            }
            if (!saved) {
                refused.increment();
                LOG.debugf("Snapshot %d of %s refused: the policy was replaced, deleted or rolled back since",
                        s.version(), s.name());
                return true;
            }
            writeTime.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            written.increment();
            writtenAt.put(s.name(), System.currentTimeMillis());
            return true;
        } catch (SnapshotStoreException | RuntimeException e) {
            failed.increment();
            LOG.debugf("Snapshot of %s not written: %s", s.name(), e.getMessage());
            return false;
        }
    }

    /**
     * Writes everything still waiting, retrying until the deadline, without waiting for the byte
     * budget (at shutdown, and when Kafka takes partitions away: the next owner reads them next).
     */
    public boolean flush(Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        synchronized (this) {
            flushing++;
            notifyAll();
            try {
                while ((!waiting.isEmpty() || inFlight != null) && System.currentTimeMillis() < deadline) {
                    wait(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                flushing--;
            }
            return waiting.isEmpty() && inFlight == null;
        }
    }

    @Override
    public void close() {
        worker.stop();
    }
}
