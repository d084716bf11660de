package io.policyrec.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerTest {

    @Test
    void aYieldingWorkerRunsItsBodyAtTheNiceValueAskedAndAPlainOneAsItsCreator() throws Exception {
        OptionalInt creator = ThreadPriority.currentNice();
        assumeTrue(creator.isPresent(), "Linux reports the nice value of a thread (/proc/thread-self/stat)");
        int wanted = Math.min(creator.getAsInt() + 7, 19);
        assumeTrue(wanted > creator.getAsInt(), "the test runs below the lowest priority");
        CompletableFuture<OptionalInt> yielding = new CompletableFuture<>();
        CompletableFuture<OptionalInt> plain = new CompletableFuture<>();
        Worker y = Worker.startYielding("test-yielding", wanted, w -> yielding.complete(ThreadPriority.currentNice()));
        Worker p = Worker.start("test-plain", w -> plain.complete(ThreadPriority.currentNice()));
        assertEquals(OptionalInt.of(wanted), yielding.get(10, TimeUnit.SECONDS));
        assertEquals(creator, plain.get(10, TimeUnit.SECONDS));
        y.stop();
        p.stop();
    }

    @Test
    void stopEndsAPauseAtOnceAndJoinsTheThread() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        Worker w = Worker.start("test-pause", worker -> {
            paused.countDown();
            // An hour: only stop() can end this wait within the test's timeout.
            worker.pause(TimeUnit.HOURS.toMillis(1));
            ended.countDown();
        });
        assertTrue(paused.await(10, TimeUnit.SECONDS), "the body runs");
        w.stop();
        assertTrue(ended.await(0, TimeUnit.SECONDS), "stop() returns after the body ended");
        assertFalse(w.running());
    }

    @Test
    void stopWakesABodyBlockedElsewhere() throws Exception {
        Object monitor = new Object();
        CountDownLatch ended = new CountDownLatch(1);
        Worker w = Worker.start("test-wake", worker -> {
            while (worker.running()) {
                synchronized (monitor) {
                    monitor.wait();
                }
            }
            ended.countDown();
        }).onStop(() -> {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        });
        w.stop();
        assertTrue(ended.await(0, TimeUnit.SECONDS), "the wake hook let the body see the stop");
    }

    @Test
    void periodicWorkGoesOnAfterAFailingRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(3);
        Worker w = Worker.every("test-every", java.time.Duration.ofMillis(5), () -> {
            third.countDown();
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("the first run fails");
            }
        });
        try {
            assertTrue(third.await(10, TimeUnit.SECONDS), "runs continue after a failure: " + runs.get());
        } finally {
            w.stop();
        }
    }
}
