package io.policyrec.background;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A hand-off from request threads to one background thread: request threads offer items, bounded;
 * one thread takes them. The learning loop takes decisions and rewards from one, the Kafka
 * decision log's sender its decisions. The taker is woken by an offer only once it has found
 * nothing for a while ({@link #IDLE_NANOS}); while work keeps coming it naps ({@link #NAP_NANOS})
 * between drains and wakes by itself.
 *
 * <p>Why: with a blocking queue's signal per offer, the learner parked after almost every decision
 * and the next decision woke it again: 2,328 of 3,000 named-features decisions a second went through
 * a park and an unpark (the learner thread's voluntary context switches), each a system call on a
 * request thread and a context switch of the learner, none of it in a Java profile. A decision has
 * seconds to be joined (its reward window), and a logged one waits for the producer's linger
 * anyway, so a nap's 2 ms delay costs nothing, and at any rate the taker wakes at most 500 times a
 * second.
 *
 * @param <T> what is handed over
 */
public final class Inbox<T> {
    /** How long the taker naps between drains while items keep coming. */
    static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How long the taker must have found nothing before it asks to be woken by an offer. */
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ArrayBlockingQueue<T> queue;
    /** The taker, while it waits for an offer to wake it; null while it naps or works. */
    private volatile Thread sleeper;
    private final AtomicLong wakeups = new AtomicLong();
    /** The taker's: when it last found an item. */
    private long lastFound = System.nanoTime() - IDLE_NANOS;

    public Inbox(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Any thread: queues an item without waiting; false when full. */
    public boolean offer(T item) {
        if (!queue.offer(item)) {
            return false;
        }
        Thread t = sleeper;
        if (t != null) {
            wakeups.incrementAndGet();
            LockSupport.unpark(t);
        }
        return true;
    }

    /**
     * The taker: the next item, or null when none came within about maxWaitNanos.
     *
     * @throws InterruptedException when it would wait and its thread is interrupted (as a blocking
     *                              queue's poll): a park returns at once while the flag is set, so
     *                              a loop around this would otherwise spin on a core
     */
    public T take(long maxWaitNanos) throws InterruptedException {
        T item = queue.poll();
        if (item == null) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (System.nanoTime() - lastFound < IDLE_NANOS) {
                LockSupport.parkNanos(Math.min(NAP_NANOS, maxWaitNanos));
            } else {
                // Announced before the last look: an offer after that look sees the sleeper and
                // wakes it (or leaves it a permit, when it comes before the park).
                sleeper = Thread.currentThread();
                if (queue.isEmpty()) {
                    LockSupport.parkNanos(maxWaitNanos);
                }
                sleeper = null;
            }
            item = queue.poll();
        }
        if (item != null) {
            lastFound = System.nanoTime();
        }
        return item;
    }

    /** The taker: the next item if one is queued, else null, without waiting. */
    public T poll() {
        return queue.poll();
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Items queued now (a gauge's reading). */
    public int size() {
        return queue.size();
    }

    /** Items it would still take before refusing. */
    public int remainingCapacity() {
        return queue.remainingCapacity();
    }

    /** Whether the taker waits for an offer to wake it (tests). */
    public boolean waiting() {
        return sleeper != null;
    }

    /** How many offers woke the taker (tests). */
    public long wakeups() {
        return wakeups.get();
    }
}
