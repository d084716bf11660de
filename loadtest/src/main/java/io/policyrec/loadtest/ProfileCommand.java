package io.policyrec.loadtest;

import java.nio.file.Path;
import java.util.ArrayList;
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
 * serving" with figures instead of guesses. Then the collector: its pauses, the young pauses over
 * 10 ms with their causes, and the humongous allocations (objects of half a G1 region or more,
 * from {@code jdk.ObjectAllocationOutsideTLAB}, which the recording must enable) by who made them,
 * so that a long pause a growing table of decision memory set off is named as such.
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
        // A dump holds whole chunks: JFR.dump begin=-20s gave 195 s of a run, its warm-up included.
        double lastSeconds = args.getDouble("last", 0);
        args.checkAllRead();
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        long end = events.stream().mapToLong(e -> e.getEndTime().toEpochMilli()).max().orElse(0);
        long from = lastSeconds > 0 ? end - (long) (lastSeconds * 1000) : Long.MIN_VALUE;
        Map<String, Integer> categories = new LinkedHashMap<>();
        Map<String, Integer> leaves = new LinkedHashMap<>();
        Map<String, Integer> threads = new LinkedHashMap<>();
        int samples = 0;
        Map<String, double[]> pauses = new LinkedHashMap<>();
        List<RecordedEvent> young = new ArrayList<>();
        List<RecordedEvent> outsideTlab = new ArrayList<>();
        long regionSize = 0;
        long first = Long.MAX_VALUE;
        long last = 0;
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.UnsignedLongFlag")) {
                if (e.getString("name").equals("G1HeapRegionSize")) {
                    regionSize = e.getLong("value");
                }
                continue;
            }
            if (e.getStartTime().toEpochMilli() < from) {
                continue;
            }
            first = Math.min(first, e.getStartTime().toEpochMilli());
            last = Math.max(last, e.getEndTime().toEpochMilli());
            if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
                double[] p = pauses.computeIfAbsent(e.getString("name"), k -> new double[3]);
                p[0]++;
                p[1] += e.getDuration("sumOfPauses").toNanos() / 1e6;
                p[2] = Math.max(p[2], e.getDuration("longestPause").toNanos() / 1e6);
                if (e.getString("name").equals("G1New")) {
                    young.add(e);
                }
            }
            if (e.getEventType().getName().equals("jdk.ObjectAllocationOutsideTLAB")) {
                outsideTlab.add(e);
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
        printYoungPauses(young, outsideTlab, regionSize);
        return 0;
    }

    /** Frames of decision memory: the reward join and its tables, the decision arena. */
    private static final String DECISION_MEMORY = "io.policyrec.feedback.";

    /**
     * The young pauses over 10 ms and their causes, and the humongous allocations by where they
     * were made. A young pause counts as decision memory's when a humongous allocation of it set the
     * collection off (cause "G1 Humongous Allocation", such an allocation in the 100 ms before):
     * pending decisions live off the heap, so an evacuation pause copies none of them, but the
     * join's tables of primitives are humongous objects past 128 k pending, and each doubling is a
     * burst of them.
     */
    static void printYoungPauses(List<RecordedEvent> young, List<RecordedEvent> outsideTlab, long regionSize) {
        if (regionSize == 0) {
            return; // not G1, or flags not recorded
        }
        List<RecordedEvent> humongous = new ArrayList<>();
        Map<String, Integer> byWhere = new LinkedHashMap<>();
        int ofDecisionMemory = 0;
        for (RecordedEvent a : outsideTlab) {
            if (a.getLong("allocationSize") >= regionSize / 2) {
                humongous.add(a);
                String where = allocator(a);
                byWhere.merge(where, 1, Integer::sum);
                ofDecisionMemory += where.startsWith(DECISION_MEMORY) ? 1 : 0;
            }
        }
        int over = 0;
        int attributed = 0;
        double longest = 0;
        Map<String, Integer> causes = new LinkedHashMap<>();
        for (RecordedEvent p : young) {
            double ms = p.getDuration("longestPause").toNanos() / 1e6;
            longest = Math.max(longest, ms);
            if (ms <= 10) {
                continue;
            }
            over++;
            causes.merge(p.getString("cause"), 1, Integer::sum);
            if (p.getString("cause").equals("G1 Humongous Allocation") && humongous.stream().anyMatch(a ->
                    allocator(a).startsWith(DECISION_MEMORY) && !a.getStartTime().isAfter(p.getStartTime())
                            && a.getStartTime().isAfter(p.getStartTime().minusMillis(100)))) {
                attributed++;
            }
        }
        System.out.printf(Locale.ROOT, "young pauses over 10 ms: %d of %d (longest %.1f ms; causes %s); set off by a "
                + "humongous allocation of decision memory: %d%n", over, young.size(), longest, causes, attributed);
        System.out.printf(Locale.ROOT, "humongous allocations (%d KB or more): %d of decision memory, %d in all %s%n",
                regionSize / 2 / 1024, ofDecisionMemory, humongous.size(), byWhere);
    }

    /** The allocating method nearest the leaf that is not the JDK's (Arrays.copyOf and the like). */
    private static String allocator(RecordedEvent a) {
        if (a.getStackTrace() == null) {
            return "?";
        }
        for (RecordedFrame f : a.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.")) {
                return type + "." + f.getMethod().getName();
            }
        }
        return "?";
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
