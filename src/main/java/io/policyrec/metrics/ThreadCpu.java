package io.policyrec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.function.Predicate;

/**
 * CPU time of the service, and of the threads that do its work, as counters
 * ({@code policyrec_cpu_seconds_total{threads=...}}): {@code process} (every thread, the
 * collector's and the compiler's too), {@code event loops} (HTTP, parsing, deciding, answering) and
 * {@code learner} (the reward join and the learning steps, embedded or from Kafka). Divided by the
 * requests of the same interval, they say what a request costs and where: the load tool reads
 * them at each step (Rank with 50 actions took 641 us of CPU per request at 1,200/s, of it 366
 * on the event loops and 149 on the learner, the baseline endpoint parsing the same body 284: a
 * gap its latencies alone did not show). A thread's time counts while it lives: a learner
 * restarted starts from zero. ND4J's native threads (with {@code policyrec.learner.threads} > 1)
 * and the Kafka client's own threads count in the process only.
 */
public final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    public static void register(MeterRegistry meters) {
        FunctionCounter.builder("policyrec_cpu_seconds_total", THREADS, t -> processSeconds())
                .tag("threads", "process").description("CPU time of the service, every thread")
                .register(meters);
        counter(meters, "event loops", n -> n.startsWith("vert.x-eventloop-thread"));
        counter(meters, "learner", n -> n.equals("policyrec-learner") || n.equals("policyrec-kafka-learner"));
    }

    private static void counter(MeterRegistry meters, String threads, Predicate<String> named) {
        FunctionCounter.builder("policyrec_cpu_seconds_total", THREADS, t -> seconds(named))
                .tag("threads", threads).description("CPU time of the service's " + threads + " (live threads)")
                .register(meters);
    }

    /** CPU seconds of the live threads whose names match (NaN where the JVM does not measure it). */
    static double seconds(Predicate<String> named) {
        if (!THREADS.isThreadCpuTimeSupported() || !THREADS.isThreadCpuTimeEnabled()) {
            return Double.NaN;
        }
        long nanos = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && named.test(info.getThreadName())) {
                long t = THREADS.getThreadCpuTime(info.getThreadId());
                nanos += Math.max(0, t); // -1: it ended meanwhile
            }
        }
        return nanos / 1e9;
    }

    private static double processSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }
}
