package io.policyrec.background;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The one owner of the service's background threads (after rlclientlib's
 * {@code periodic_background_proc}): it starts a named daemon thread, gives its body an
 * interruptible wait that ends at once on {@link #stop()}, logs what escapes the body, and stops
 * and joins every thread under one timeout policy. Loops that block elsewhere (a Kafka poll, a
 * queue poll with a timeout, a monitor) register how to wake them with {@link #onStop(Runnable)}.
 *
 * <p>Stopping never interrupts the thread: an interrupt would close a snapshot file or a Kafka
 * channel mid-write. Bodies poll {@link #running()} between short waits instead.
 */
public final class Worker {
    private static final Logger LOG = Logger.getLogger(Worker.class);

    /**
     * How long {@link #stop()} waits for a thread to finish before it says so and goes on, unless
     * the part bounds it lower ({@link #stopWithin}): what runs at shutdown must fit the
     * orchestrator's grace period (30 s by default in Kubernetes) together.
     */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    /** What a background thread does; it returns when {@link Worker#running()} turns false. */
    @FunctionalInterface
    public interface Body {
        void run(Worker worker) throws Exception;
    }

    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopped = lock.newCondition();
    private volatile boolean running = true;
    private volatile Runnable wake = () -> { };
    private volatile Duration stopTimeout = STOP_TIMEOUT;

    private Worker(String name, Body body) {
        this.thread = new Thread(() -> {
            try {
                body.run(this);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.errorf(e, "Background thread %s ended", name);
            }
        }, name);
        this.thread.setDaemon(true);
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.errorf(e, "Background thread %s died", t.getName()));
    }

    /** Starts a thread running the body. */
    public static Worker start(String name, Body body) {
        Worker w = new Worker(name, body);
        w.thread.start();
        return w;
    }

    /**
     * Starts a thread that lowers its own CPU priority to the given nice value before it runs the
     * body ({@link ThreadPriority}): work that can wait while requests want the cores.
     */
    public static Worker startYielding(String name, int nice, Body body) {
        return start(name, w -> {
            ThreadPriority.lowerCurrent(name, nice);
            body.run(w);
        });
    }

    /**
     * Starts a thread that runs the task every period until stopped. A failing run is logged
     * (at debug: periodic work such as a poll of a store that is away fails often) and the next
     * run comes at its time.
     */
    public static Worker every(String name, Duration period, Runnable task) {
        return start(name, w -> {
            while (w.pause(period.toMillis())) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.debugf("%s failed: %s", name, e.toString());
                }
            }
        });
    }

    /** False once {@link #stop()} was called. */
    public boolean running() {
        return running;
    }

    /** How to wake the body from a blocking call of its own when stopping (a consumer's wakeup, a notify). */
    public Worker onStop(Runnable wake) {
        this.wake = wake;
        return this;
    }

    /** A lower bound on how long {@link #stop()} waits for this thread (at most {@link #STOP_TIMEOUT}). */
    public Worker stopWithin(Duration timeout) {
        this.stopTimeout = timeout.compareTo(STOP_TIMEOUT) < 0 ? timeout : STOP_TIMEOUT;
        return this;
    }

    /** Waits up to millis, ending early on {@link #stop()}; returns whether the worker still runs. */
    public boolean pause(long millis) {
        if (millis <= 0) {
            return running;
        }
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (running && nanos > 0) {
                nanos = stopped.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
        return running;
    }

    /** Asks the body to finish, wakes it, and waits for it (up to its stop timeout). */
    public void stop() {
        running = false;
        lock.lock();
        try {
            stopped.signalAll();
        } finally {
            lock.unlock();
        }
        wake.run();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(stopTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warnf("Background thread %s did not stop within %d ms", thread.getName(), stopTimeout.toMillis());
        }
    }
}
