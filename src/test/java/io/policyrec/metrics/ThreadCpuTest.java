package io.policyrec.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    private static volatile long sink;

    @Test
    void aBusyLearnerThreadsTimeIsCountedUnderItsNameAndInTheProcessButNotUnderTheEventLoops() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ThreadCpu.register(meters);
        double processBefore = count(meters, "process");
        // A Quarkus test in this JVM may have left event loops, or a learner, running: compare with before.
        double eventLoopsBefore = count(meters, "event loops");
        double learnerBefore = count(meters, "learner");
        AtomicBoolean spin = new AtomicBoolean(true);
        CountDownLatch busy = new CountDownLatch(1);
        Thread learner = new Thread(() -> {
            var threads = ManagementFactory.getThreadMXBean();
            long x = 0;
            while (spin.get()) {
                x += System.nanoTime() & 7;
                if (busy.getCount() > 0 && threads.getCurrentThreadCpuTime() >= 200_000_000L) {
                    busy.countDown();
                }
            }
            sink = x;
        }, "policyrec-learner");
        learner.start();
        try {
            assertTrue(busy.await(30, java.util.concurrent.TimeUnit.SECONDS), "the thread used 200 ms of CPU");
            double learnerSeconds = count(meters, "learner") - learnerBefore;
            assertTrue(learnerSeconds >= 0.2, "learner " + learnerSeconds);
            assertTrue(count(meters, "process") - processBefore >= 0.2, "the process counts it too");
            assertTrue(count(meters, "event loops") - eventLoopsBefore < 0.1, "not counted as an event loop's");
        } finally {
            spin.set(false);
            learner.join();
        }
    }

    private static double count(SimpleMeterRegistry meters, String threads) {
        return meters.get("policyrec_cpu_seconds_total").tag("threads", threads).functionCounter().count();
    }
}
