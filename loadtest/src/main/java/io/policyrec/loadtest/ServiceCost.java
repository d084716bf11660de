package io.policyrec.loadtest;

import java.io.IOException;
import java.util.Locale;

/**
 * What the service spent between two scrapes of its Prometheus endpoint: garbage collection
 * (Micrometer's JVM binder: young and old pauses, count, total, longest, and bytes allocated) and
 * CPU time ({@code policyrec_cpu_seconds_total}: the process, its event loops, its learner), so that
 * a step of the rate search says why it failed (a pause longer than the p99 bound, or CPU) and what
 * a request costs (the baseline endpoint's bytes and CPU per request against /recommend's).
 *
 * @param pauses     collections that paused the application, all collectors
 * @param pauseMs    their summed pause time
 * @param longestMs  the longest pause Micrometer saw in its recent window (its gauge decays, so a
 *                   step reads the window it ran in)
 * @param allocated  bytes allocated: Micrometer's counter (which moves at each young collection)
 *                   plus what eden holds now, so that a step without a collection still counts
 * @param cpu        CPU seconds of the process, its event loops and its learner (NaN where the
 *                   service does not export them)
 * @param evicted    decisions evicted unlearned from the pending budget
 *                   ({@code policyrec_decisions_evicted_total}): a step that holds its rate while
 *                   evicting holds it without learning from those decisions
 */
record ServiceCost(double pauses, double pauseMs, double longestMs, double allocated, double[] cpu, double evicted) {

    static final ServiceCost NONE = new ServiceCost(0, 0, 0, 0, new double[] {Double.NaN, Double.NaN, Double.NaN}, 0);
    private static final String[] CPU = {"process", "event loops", "learner"};

    /** The cumulative counters now; NONE when the endpoint cannot be read (the step still counts). */
    static ServiceCost scrape(ServiceClient service) {
        try {
            double pauses = 0;
            double seconds = 0;
            double longest = 0;
            double allocated = 0;
            double[] cpu = {Double.NaN, Double.NaN, Double.NaN};
            double evicted = 0;
            for (String line : service.metricsText().split("\n")) {
                if (line.startsWith("policyrec_decisions_evicted_total ") || line.startsWith("policyrec_decisions_evicted_total{")) {
                    evicted += value(line);
                }
                if (line.startsWith("policyrec_cpu_seconds_total{")) {
                    for (int i = 0; i < CPU.length; i++) {
                        if (line.contains("threads=\"" + CPU[i] + "\"")) {
                            cpu[i] = value(line);
                        }
                    }
                }
                if (line.startsWith("jvm_gc_pause_seconds_count{")) {
                    pauses += value(line);
                } else if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
                    seconds += value(line);
                } else if (line.startsWith("jvm_gc_pause_seconds_max{")) {
                    longest = Math.max(longest, value(line));
                } else if (line.startsWith("jvm_gc_memory_allocated_bytes_total")
                        || line.startsWith("jvm_memory_used_bytes{") && line.contains("Eden")) {
                    allocated += value(line);
                }
            }
            return new ServiceCost(pauses, seconds * 1000, longest * 1000, allocated, cpu, evicted);
        } catch (IOException | RuntimeException e) {
            return NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NONE;
        }
    }

    /** The value of {@code name{labels} value} or {@code name value} (label values may hold spaces). */
    private static double value(String line) {
        int close = line.lastIndexOf('}');
        String rest = close >= 0 ? line.substring(close + 1) : line.substring(line.indexOf(' '));
        return Double.parseDouble(rest.trim().split(" ")[0]);
    }

    /**
     * What happened between an earlier scrape and this one, over {@code requests} requests: GC,
     * allocation, and CPU per request (the process's, and of it the event loops' and the learner's).
     */
    String since(ServiceCost before, double seconds, long requests) {
        if (this == NONE || before == NONE) {
            return "";
        }
        double bytes = allocated - before.allocated;
        String gc = String.format(Locale.ROOT, "  gc %3.0f pauses %6.1f ms longest %5.1f ms  alloc %6.1f MB/s %5.1f KB/req",
                pauses - before.pauses, pauseMs - before.pauseMs, longestMs, bytes / seconds / 1e6,
                requests == 0 ? 0 : bytes / requests / 1e3);
        double gone = evicted - before.evicted;
        if (gone > 0) {
            gc += String.format(Locale.ROOT, "  evicted %,.0f/s", gone / seconds);
        }
        if (requests == 0 || Double.isNaN(cpu[0] - before.cpu[0])) {
            return gc;
        }
        double[] us = new double[CPU.length];
        for (int i = 0; i < CPU.length; i++) {
            us[i] = (cpu[i] - before.cpu[i]) * 1e6 / requests;
        }
        return gc + String.format(Locale.ROOT, "  cpu %4.0f us/req (event loops %4.0f, learner %4.0f)", us[0], us[1],
                us[2]);
    }
}
