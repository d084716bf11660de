package io.policyrec.loadtest;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the service's CPU goes: a JFR recording's execution samples, each put in the category of
 * the frame nearest the leaf that names one, and the hottest leaf methods. Answers "what limits
 * serving" with figures instead of guesses.
 */
final class ProfileCommand {
    private ProfileCommand() {
    }

    /** Package prefix -> category, tried from the leaf frame towards the thread's root. */
    private static final List<String[]> CATEGORIES = List.of(
            new String[] {"io.policyrec.policy.", "decision: forward pass and sampling"},
            new String[] {"io.policyrec.features.", "hashing the request's features"},
            new String[] {"io.policyrec.learning.", "learning (gradient steps)"},
            new String[] {"io.policyrec.personalizer.", "request checks"},
            new String[] {"io.policyrec.metrics.", "policy gauges"},
            new String[] {"io.policyrec.feedback.", "decision log and learner"},
            new String[] {"io.policyrec.serving.", "request checks"},
            new String[] {"io.micrometer.", "HTTP metrics (Micrometer)"},
            new String[] {"com.fasterxml.jackson.", "JSON parsing and writing"},
            new String[] {"jdk.internal.math.", "JSON parsing and writing"},
            new String[] {"io.netty.", "HTTP stack (Netty, Vert.x, RESTEasy Reactive)"},
            new String[] {"io.vertx.", "HTTP stack (Netty, Vert.x, RESTEasy Reactive)"},
            new String[] {"org.jboss.", "HTTP stack (Netty, Vert.x, RESTEasy Reactive)"},
            new String[] {"io.quarkus.", "HTTP stack (Netty, Vert.x, RESTEasy Reactive)"});

    static int run(Args args) throws Exception {
        Path jfr = Path.of(args.get("jfr", "serving.jfr"));
        int top = args.getInt("top", 12);
        args.checkAllRead();
        Map<String, Integer> categories = new LinkedHashMap<>();
        Map<String, Integer> leaves = new LinkedHashMap<>();
        Map<String, Integer> threads = new LinkedHashMap<>();
        int samples = 0;
        Map<String, double[]> pauses = new LinkedHashMap<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            first = Math.min(first, e.getStartTime().toEpochMilli());
            last = Math.max(last, e.getEndTime().toEpochMilli());
            if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
                double[] p = pauses.computeIfAbsent(e.getString("name"), k -> new double[3]);
                p[0]++;
                p[1] += e.getDuration("sumOfPauses").toNanos() / 1e6;
                p[2] = Math.max(p[2], e.getDuration("longestPause").toNanos() / 1e6);
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null
                    || e.getStackTrace().getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            categories.merge(category(frames), 1, Integer::sum);
            RecordedFrame leaf = frames.get(0);
            leaves.merge(leaf.getMethod().getType().getName() + "." + leaf.getMethod().getName(), 1, Integer::sum);
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            threads.merge(thread.replaceAll("-?\\d+$", ""), 1, Integer::sum);
        }
        if (samples == 0) {
            System.err.println("no execution samples in " + jfr);
            return 1;
        }
        System.out.printf(Locale.ROOT, "%,d execution samples%n%nby category (nearest frame to the leaf that names one):%n",
                samples);
        print(categories, samples, Integer.MAX_VALUE);
        System.out.println("\nby thread:");
        print(threads, samples, 6);
        System.out.println("\nhottest leaf methods:");
        print(leaves, samples, top);
        // Execution samples leave out GC threads; the pauses are what a request waiting behind them sees.
        System.out.printf(Locale.ROOT, "%ngarbage collection over the %.1f s recorded:%n", (last - first) / 1e3);
        pauses.forEach((name, p) -> System.out.printf(Locale.ROOT,
                "  %-10s %4.0f collections, pauses %7.1f ms in all, longest %5.1f ms%n", name, p[0], p[1], p[2]));
        return 0;
    }

    static String category(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            for (String[] c : CATEGORIES) {
                if (type.startsWith(c[0])) {
                    return c[1];
                }
            }
        }
        return "other (JDK, GC helpers, JIT)";
    }

    private static void print(Map<String, Integer> counts, int samples, int limit) {
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(limit)
                .forEach(x -> System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * x.getValue() / samples,
                        x.getKey()));
    }
}
