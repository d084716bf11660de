package io.policyrec.loadtest;

import java.io.IOException;
import java.util.Locale;

/**
 * The service's garbage collection between two scrapes of its Prometheus endpoint (Micrometer's
 * JVM binder): young and old pauses (count, total, longest) and bytes allocated, so that a step of
 * the rate search says why it failed (a pause longer than the p99 bound) and what a request costs
 * in allocation (the baseline endpoint's bytes per request against /recommend's).
 *
 * @param pauses     collections that paused the application, all collectors
 * @param pauseMs    their summed pause time
 * @param longestMs  the longest pause Micrometer saw in its recent window (its gauge decays, so a
 *                   step reads the window it ran in)
 * @param allocated  bytes allocated: Micrometer's counter (which moves at each young collection)
 *                   plus what eden holds now, so that a step without a collection still counts
 */
record ServiceGc(double pauses, double pauseMs, double longestMs, double allocated) {

    static final ServiceGc NONE = new ServiceGc(0, 0, 0, 0);

    /** The cumulative counters now; NONE when the endpoint cannot be read (the step still counts). */
    static ServiceGc scrape(ServiceClient service) {
        try {
            double pauses = 0;
            double seconds = 0;
            double longest = 0;
            double allocated = 0;
            for (String line : service.metricsText().split("\n")) {
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
            return new ServiceGc(pauses, seconds * 1000, longest * 1000, allocated);
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

    /** What happened between an earlier scrape and this one, over {@code requests} requests. */
    String since(ServiceGc before, double seconds, long requests) {
        if (this == NONE || before == NONE) {
            return "";
        }
        double bytes = allocated - before.allocated;
        return String.format(Locale.ROOT, "  gc %3.0f pauses %6.1f ms longest %5.1f ms  alloc %6.1f MB/s %5.1f KB/req",
                pauses - before.pauses, pauseMs - before.pauseMs, longestMs, bytes / seconds / 1e6,
                requests == 0 ? 0 : bytes / requests / 1e3);
    }
}
