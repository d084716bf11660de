package io.policyrec.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.feedback.kafka.DecisionCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The chaos soak: two instances of the service under steady decisions (on both) and rewards
 * (through Kafka), with faults injected on a schedule by an outside command (loadtest/chaos.sh,
 * which owns the processes): SIGKILL and restart of an instance, SIGSTOP/SIGCONT of one (a long
 * pause), a broker restart, a Redis restart without its data, a Redis flush. It counts what was
 * served and what was learned, the rewards the service had to replace by the default or refused
 * as late, unknown or evicted (summed over each instance's counters, across its restarts), answers
 * other than 2xx outside a faulted instance's own connections, and the time to recover after each
 * fault (both instances ready and every policy's served version moving on, on both). With fixed
 * batch boundaries every policy must end at exactly served / batch updates: fewer is a decision
 * lost, more one learned twice. Any loss fails the run.
 */
final class ChaosCommand {
    static final String HELP = """
            chaos: faults on a schedule under steady load; fails on any loss (run it with loadtest/chaos.sh).
              --a, --b          the two instances (http://127.0.0.1:18180, :18181)
              --bootstrap       Kafka (127.0.0.1:19292)
              --fault-command   what injects a fault, given its name as the last argument
              --minutes         length of the soak (20); the faults are spread evenly over it
              --rate            decisions per second, over both instances (100)
              --policies        policies (4), each batch 10, reward window 30 s
              --out             a markdown summary (optional)
              --fault-log       where the fault command's output goes (chaos-faults.log)
              --orphan-wait     the services' policyrec.kafka.orphan-wait (PT2M): how long to wait at the end
                                for rewards held for decisions that never came to count as unknown""";

    /** Every fault twice, spread over the run; an instance's faults alternate between A and B. */
    static final List<String> FAULTS = List.of("kill-a", "pause-b", "broker", "redis-restart", "redis-flush",
            "kill-b", "pause-a", "broker", "redis-restart", "redis-flush");
    static final int BATCH = 10;
    static final ObjectMapper JSON = new ObjectMapper();
    /** Counters whose growth means a reward was not learned as sent. */
    static final List<String> LOSSES = List.of("policyrec_decisions_joined_total{outcome=\"default\"}",
            "policyrec_feedback_rejected_total{reason=\"late\"}", "policyrec_feedback_rejected_total{reason=\"unknown\"}",
            "policyrec_feedback_rejected_total{reason=\"evicted\"}", "policyrec_decisions_evicted_total",
            "policyrec_decisions_dropped_total");
    static final String UNKNOWN = "policyrec_feedback_rejected_total{reason=\"unknown\"}";

    private ChaosCommand() {
    }

    /** One instance as the load sees it. */
    static final class Instance {
        final String name;
        final String url;
        volatile boolean faulted;
        final LongAdder served = new LongAdder();
        final LongAdder failedOutsideFaults = new LongAdder();
        final LongAdder failedWhileFaulted = new LongAdder();
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        /** Per loss counter: the sum over this instance's lives, and the last value read. */
        final Map<String, double[]> losses = new ConcurrentHashMap<>();
        /** From when a SIGKILL of this instance was ordered to when it was restarted: [from, to]. */
        final List<long[]> killed = new java.util.concurrent.CopyOnWriteArrayList<>();

        Instance(String name, String url) {
            this.name = name;
            this.url = url;
        }

        /** Adds what the counters grew by since the last read; a counter below it was restarted from 0. */
        synchronized void account(String metrics) {
            for (String sample : LOSSES) {
                double now = sample(metrics, sample);
                double[] acc = losses.computeIfAbsent(sample, s -> new double[2]);
                acc[0] += now >= acc[1] ? now - acc[1] : now;
                acc[1] = now;
            }
        }

        double lost() {
            return losses.values().stream().mapToDouble(a -> a[0]).sum();
        }
    }

    static int run(Args args) throws Exception {
        if (args.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        Instance a = new Instance("A", args.get("a", "http://127.0.0.1:18180"));
        Instance b = new Instance("B", args.get("b", "http://127.0.0.1:18181"));
        List<Instance> instances = List.of(a, b);
        String bootstrap = args.get("bootstrap", "127.0.0.1:19292");
        List<String> faultCommand = List.of(args.get("fault-command", "loadtest/chaos.sh fault").split(" "));
        double minutes = args.getDouble("minutes", 20);
        double rate = args.getDouble("rate", 100);
        int policyCount = args.getInt("policies", 4);
        String out = args.get("out", "");
        Path faultLog = Path.of(args.get("fault-log", "chaos-faults.log"));
        long orphanWaitMillis = Duration.parse(args.get("orphan-wait", "PT2M")).toMillis();
        args.checkAllRead();

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<String> policies = new ArrayList<>();
        for (int i = 0; i < policyCount; i++) {
            String name = "chaos-" + i;
            policies.add(name);
            HttpResponse<String> r = send(http, a.url, "PUT", "/policies/" + name, JSON.writeValueAsString(Map.of(
                    "contextDimension", 4, "actions", 3, "batchSize", BATCH, "rewardWindow", "PT30S", "seed", i)));
            if (r.statusCode() / 100 != 2) {
                throw new IOException("PUT " + name + ": " + r.statusCode() + " " + r.body());
            }
        }
        for (String p : policies) {
            awaitTrue(() -> version(http, b.url, p) >= 0, 60_000, p + " served by B");
        }
        Map<String, AtomicLong> servedPerPolicy = new ConcurrentHashMap<>();
        Map<String, Served> servedIds = new ConcurrentHashMap<>();
        policies.forEach(p -> servedPerPolicy.put(p, new AtomicLong()));

        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("delivery.timeout.ms", "900000");
        props.put("max.block.ms", "900000");
        props.put("linger.ms", "5");
        LongAdder rewardsSent = new LongAdder();
        LongAdder rewardsFailed = new LongAdder();
        long start = System.currentTimeMillis();
        long end = start + (long) (minutes * 60_000);
        List<String> faultLines = new ArrayList<>();
        Map<String, AtomicLong> unloggedAtKill = new ConcurrentHashMap<>();
        Map<String, AtomicLong> unloggedOther = new ConcurrentHashMap<>();
        boolean allRecovered = true;
        double lostAtFault = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            List<Thread> load = new ArrayList<>();
            for (Instance instance : instances) {
                Thread t = new Thread(() -> load(http, instance, policies, rate / instances.size(), end, producer,
                        servedPerPolicy, servedIds, rewardsSent, rewardsFailed), "load-" + instance.name);
                t.start();
                load.add(t);
            }
            Thread meter = new Thread(() -> {
                while (System.currentTimeMillis() < end + 600_000 && !Thread.currentThread().isInterrupted()) {
                    instances.forEach(i -> scrape(http, i));
                    if (!pause(500)) {
                        return;
                    }
                }
            }, "meter");
            meter.setDaemon(true);
            meter.start();

            long every = (end - start) / (FAULTS.size() + 1);
            for (int k = 0; k < FAULTS.size(); k++) {
                String fault = FAULTS.get(k);
                long at = start + (k + 1) * every;
                while (System.currentTimeMillis() < at) {
                    pause(200);
                }
                Instance target = fault.endsWith("-a") ? a : fault.endsWith("-b") ? b : null;
                Map<String, Long> before = new LinkedHashMap<>();
                for (Instance i : instances) {
                    scrape(http, i);
                    for (String p : policies) {
                        before.put(i.name + p, version(http, i.url, p));
                    }
                }
                double lostBefore = instances.stream().mapToDouble(Instance::lost).sum();
                if (k > 0) {
                    faultLines.set(k - 1, faultLines.get(k - 1) + String.format(Locale.ROOT, " %.0f |",
                            lostBefore - lostAtFault));
                }
                lostAtFault = lostBefore;
                long t0 = System.currentTimeMillis();
                if (target != null) {
                    target.faulted = true;
                }
                List<String> command = new ArrayList<>(faultCommand);
                command.add(fault);
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(faultLog.toFile())).start();
                int code = process.waitFor();
                long injected = System.currentTimeMillis() - t0;
                if (target != null && fault.startsWith("kill")) {
                    target.killed.add(new long[] {t0, t0 + injected});
                }
                if (target != null) {
                    target.faulted = false;
                }
                boolean recovered = code == 0 && awaitQuietly(() -> {
                    for (Instance i : instances) {
                        for (String p : policies) {
                            if (version(http, i.url, p) <= before.get(i.name + p)) {
                                return false;
                            }
                        }
                    }
                    return true;
                }, 180_000);
                long recovery = System.currentTimeMillis() - t0;
                allRecovered &= recovered;
                String line = String.format(Locale.ROOT, "| %d | %s | %.0f | %.1f | %s |", (t0 - start) / 1000, fault,
                        injected / 1000.0, recovery / 1000.0, recovered ? "yes" : code != 0 ? "command failed (" + code
                                + ")" : "NO (not within 180 s)");
                faultLines.add(line);
                System.err.println("[chaos] " + line);
            }
            for (Thread t : load) {
                t.join();
            }
            producer.flush();
            // Decisions answered but not in the log: with an instance's memory when it was SIGKILLed (the
            // last ones answered before the kill), or lost otherwise (a failure).
            awaitQuietly(() -> {
                for (Instance i : instances) {
                    HttpResponse<String> m = send(http, i.url, "GET", "/q/metrics", null);
                    if (sample(m.body(), "policyrec_decision_log_queue") > 0) {
                        return false;
                    }
                }
                return true;
            }, 120_000);
            // The producers' last batches: read the log until it holds every decision served, or 30 s have
            // passed (a decision a SIGKILL took never comes).
            Set<String> logged = loggedEventIds(bootstrap);
            long readUntil = System.currentTimeMillis() + 30_000;
            while (!logged.containsAll(servedIds.keySet()) && System.currentTimeMillis() < readUntil) {
                pause(500);
                logged = loggedEventIds(bootstrap);
            }
            for (Map.Entry<String, Served> e : servedIds.entrySet()) {
                if (!logged.contains(e.getKey())) {
                    Served sv = e.getValue();
                    // Answered in the 2 s before the kill was ordered, or between that and the kill itself
                    // (the instance answers nothing once killed, until it is restarted).
                    boolean beforeAKill = sv.instance().killed.stream().anyMatch(k -> sv.at() > k[0] - 2000
                            && sv.at() <= k[1]);
                    (beforeAKill ? unloggedAtKill : unloggedOther).computeIfAbsent(sv.policy(),
                            p -> new AtomicLong()).incrementAndGet();
                    System.err.printf(Locale.ROOT, "[chaos] not in the log: %s, answered by %s at %.1f s%s%n",
                            e.getKey(), sv.instance().name, (sv.at() - start) / 1000.0, beforeAKill
                                    ? " (before a SIGKILL)" : "");
                }
            }
            for (String p : policies) {
                servedPerPolicy.get(p).addAndGet(-count(unloggedAtKill, p) - count(unloggedOther, p));
            }
            // The last windows close (30 s) and every reward is learned: each policy reaches served / batch.
            boolean settled = awaitQuietly(() -> {
                for (String p : policies) {
                    long expected = servedPerPolicy.get(p).get() / BATCH;
                    if (Math.max(version(http, a.url, p), version(http, b.url, p)) < expected) {
                        return false;
                    }
                }
                return true;
            }, 240_000);
            // Rewards still held for decisions that never came count as unknown once their wait (the
            // service's policyrec.kafka.orphan-wait, --orphan-wait here) is over.
            while (System.currentTimeMillis() < end + orphanWaitMillis + 15_000) {
                pause(500);
            }
            System.err.println("[chaos] settled: " + settled);
            instances.forEach(i -> scrape(http, i));
            double lostAtEnd = instances.stream().mapToDouble(Instance::lost).sum();
            int last = faultLines.size() - 1;
            faultLines.set(last, faultLines.get(last) + String.format(Locale.ROOT, " %.0f |", lostAtEnd - lostAtFault));
            meter.interrupt();
        }

        long atKill = unloggedAtKill.values().stream().mapToLong(AtomicLong::get).sum();
        long otherUnlogged = unloggedOther.values().stream().mapToLong(AtomicLong::get).sum();
        long served = servedPerPolicy.values().stream().mapToLong(AtomicLong::get).sum() + atKill + otherUnlogged;
        long expectedUpdates = 0;
        long learnedUpdates = 0;
        StringBuilder perPolicy = new StringBuilder();
        boolean exact = true;
        for (String p : policies) {
            long expected = servedPerPolicy.get(p).get() / BATCH;
            long learned = Math.max(version(http, a.url, p), version(http, b.url, p));
            // (served less the decisions that never reached the log, by the batch)
            expectedUpdates += expected;
            learnedUpdates += learned;
            exact &= expected == learned;
            perPolicy.append(String.format(Locale.ROOT, "%s %d/%d, ", p, learned, expected));
        }
        // The rewards of decisions that never reached the log count as unknown once their wait is over: those
        // of the decisions a SIGKILL took with it are accounted for above, not lost twice.
        double lost = instances.stream().mapToDouble(Instance::lost).sum() - Math.min(atKill, instances.stream()
                .mapToDouble(i -> i.losses.getOrDefault(UNKNOWN, new double[2])[0]).sum()) + otherUnlogged;
        long failedOutside = instances.stream().mapToLong(i -> i.failedOutsideFaults.sum()).sum();
        boolean pass = exact && lost == 0 && failedOutside == 0 && rewardsFailed.sum() == 0 && allRecovered;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "Chaos soak: %.0f minutes, two instances, %d policies (batch %d, window 30 s), "
                + "%.0f decisions/s: **%s**%n%n", minutes, policyCount, BATCH, rate, pass ? "PASS" : "FAIL"));
        s.append(String.format(Locale.ROOT, "- decisions served: %,d (A %,d, B %,d); answers other than 2xx outside a "
                        + "faulted instance's own connections: %d; requests to a faulted instance that failed: %d%n", served,
                a.served.sum(), b.served.sum(), failedOutside, instances.stream().mapToLong(i -> i.failedWhileFaulted
                        .sum()).sum()));
        s.append(String.format(Locale.ROOT, "- rewards sent to Kafka: %,d (failed sends: %d)%n", rewardsSent.sum(),
                rewardsFailed.sum()));
        s.append(String.format(Locale.ROOT, "- decisions answered but not in the decision log: %d answered by an "
                + "instance in the 2 s before it was SIGKILLed (still in its memory, on their way to Kafka; their "
                + "rewards count as unknown), %d otherwise (lost)%n", atKill, otherUnlogged));
        s.append(String.format(Locale.ROOT, "- updates learned: %,d of %,d expected (served / batch; fewer is a decision "
                + "lost, more one learned twice): %s%n", learnedUpdates, expectedUpdates, perPolicy.substring(0,
                perPolicy.length() - 2)));
        StringBuilder losses = new StringBuilder();
        for (String sample : LOSSES) {
            double sum = instances.stream().mapToDouble(i -> i.losses.getOrDefault(sample, new double[2])[0]).sum();
            losses.append(sample).append(' ').append(String.format(Locale.ROOT, "%.0f", sum)).append("; ");
        }
        s.append("- counters of rewards not learned as sent (summed over both instances and their restarts): ")
                .append(losses).append(String.format(Locale.ROOT, "lost, less the unknown rewards of decisions a "
                        + "SIGKILL took and plus decisions lost otherwise: %.0f%n", lost));
        s.append("\n| at (s) | fault | injected in (s) | recovered in (s) | recovered | rewards lost until the next fault |\n"
                + "|---|---|---|---|---|---|\n");
        faultLines.forEach(l -> s.append(l).append('\n'));
        s.append("\nRecovered: both instances answer and every policy's served version has moved on, on both.\n");
        System.out.print(s);
        if (!out.isEmpty()) {
            Files.writeString(Path.of(out), s.toString());
        }
        return pass ? 0 : 1;
    }

    /** Decisions at a steady rate on one instance, each rewarded through Kafka at once. */
    static void load(HttpClient http, Instance instance, List<String> policies, double rate, long end,
                     KafkaProducer<String, String> producer, Map<String, AtomicLong> servedPerPolicy,
                     Map<String, Served> servedIds, LongAdder rewardsSent, LongAdder rewardsFailed) {
        SplittableRandom random = new SplittableRandom(instance.name.hashCode());
        long t0 = System.nanoTime();
        for (long n = 0; System.currentTimeMillis() < end; n++) {
            long wait = t0 + (long) (n * 1e9 / rate) - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String policy = policies.get((int) (n % policies.size()));
            double x0 = random.nextDouble();
            String body = String.format(Locale.ROOT, "{\"policy\":\"%s\",\"context\":[%.4f,%.4f,%.4f,%.4f]}", policy, x0,
                    random.nextDouble(), random.nextDouble(), random.nextDouble());
            boolean faulted = instance.faulted;
            try {
                HttpResponse<String> r = send(http, instance.url, "POST", "/recommend", body);
                instance.statuses.computeIfAbsent(r.statusCode(), c -> new LongAdder()).increment();
                if (r.statusCode() != 200) {
                    (faulted || instance.faulted ? instance.failedWhileFaulted : instance.failedOutsideFaults).increment();
                    continue;
                }
                JsonNode d = JSON.readTree(r.body());
                int action = d.get("action").asInt();
                double reward = action == Math.min(2, (int) (x0 * 3)) ? 1.0 : 0.0;
                instance.served.increment();
                servedPerPolicy.get(policy).incrementAndGet();
                servedIds.put(d.get("eventId").asText(), new Served(instance, policy, System.currentTimeMillis()));
                producer.send(new ProducerRecord<>("policyrec.feedback", d.get("eventId").asText(),
                        "{\"reward\":" + reward + "}"), (m, e) -> (e == null ? rewardsSent : rewardsFailed).increment());
            } catch (IOException e) {
                (faulted || instance.faulted ? instance.failedWhileFaulted : instance.failedOutsideFaults).increment();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A decision as the load saw it answered. */
    record Served(Instance instance, String policy, long at) {
    }

    static long count(Map<String, AtomicLong> counts, String policy) {
        AtomicLong n = counts.get(policy);
        return n == null ? 0 : n.get();
    }

    /** The event ids of every decision in the decision log, read from the beginning to its end. */
    static Set<String> loggedEventIds(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        Set<String> ids = new java.util.HashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor("policyrec.decisions").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    ids.add(DecisionCodec.decode(r.value()).eventId());
                }
            }
        }
        return ids;
    }

    static void scrape(HttpClient http, Instance i) {
        if (i.faulted) {
            return;
        }
        try {
            HttpResponse<String> r = send(http, i.url, "GET", "/q/metrics", null);
            if (r.statusCode() == 200) {
                i.account(r.body());
            }
        } catch (IOException e) {
            // Down (killed, paused): its counters are read again once it is back.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static double sample(String metrics, String sample) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
            }
        }
        return 0;
    }

    static HttpResponse<String> send(HttpClient http, String base, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The served version, or -1 when the instance does not answer or does not serve the policy. */
    static long version(HttpClient http, String base, String policy) {
        try {
            HttpResponse<String> r = send(http, base, "GET", "/policies/" + policy, null);
            return r.statusCode() == 200 ? JSON.readTree(r.body()).get("version").asLong() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static boolean awaitQuietly(Check check, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (check.holds()) {
                return true;
            }
            pause(250);
        }
        return false;
    }

    static void awaitTrue(Check check, long millis, String what) throws Exception {
        if (!awaitQuietly(check, millis)) {
            throw new IllegalStateException("not within " + millis + " ms: " + what);
        }
    }

    /** Waits (pacing, or between two polls) as the load loop does; false once interrupted. */
    static boolean pause(long millis) {
        LockSupport.parkNanos(millis * 1_000_000);
        return !Thread.currentThread().isInterrupted();
    }
}
