package io.policyrec.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Feedback throughput and freshness end to end: obtains decisions from a running service (Kafka
 * mode), then produces one reward per decision to policyrec.feedback as fast as the producer goes,
 * and measures how fast the service joins and learns from them, round after round, and how long a
 * reward takes to reach a served version (from the service's freshness histogram).
 */
final class FeedbackCommand {
    static final String HELP = """
            feedback: feedback events through Kafka, applied per second and freshness.
              --url        the service (http://localhost:8080); it must run with kafka.bootstrap.servers
              --bootstrap  Kafka bootstrap servers (localhost:9092)
              --policy     policy to create and use (feedback-bench): 784 inputs, 10 actions, batch 100
              --events     rewards per round (50000; all of a round's decisions must fit the pending budget)
              --rounds     rounds (4)
              --rate       rewards per second to produce at (0: as fast as the producer goes)""";

    private FeedbackCommand() {
    }

    static final String JOINED = "policyrec_decisions_joined_total{outcome=\"rewarded\"}";

    static int run(Args args) throws Exception {
        if (args.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        ServiceClient service = new ServiceClient(args.get("url", "http://localhost:8080"));
        String bootstrap = args.get("bootstrap", "localhost:9092");
        String policy = args.get("policy", "feedback-bench");
        int events = args.getInt("events", 50_000);
        int rounds = args.getInt("rounds", 4);
        double rate = args.getDouble("rate", 0);
        args.checkAllRead();
        service.putPolicy(policy, Map.of("contextDimension", 784, "actions", 10, "batchSize", 100,
                "rewardWindow", "PT120S", "seed", 7));
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("linger.ms", "5");
        p.put("batch.size", "262144");
        p.put("acks", "1");
        SplittableRandom random = new SplittableRandom(5);
        float[][] pool = io.policyrec.loadtest.bench.BenchSupport.contexts(1000);
        List<Double> rates = new ArrayList<>();
        double[] freshBefore = freshness(service);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int round = 1; round <= rounds; round++) {
                List<String> ids = decisions(service, policy, events, pool, random);
                double logged = service.metric("policyrec_decisions_logged_total");
                waitQuietly(2000);
                double joinedBefore = service.metric(JOINED);
                long versionBefore = service.version(policy);
                long start = System.nanoTime();
                long sent = 0;
                for (String id : ids) {
                    if (rate > 0) {
                        long due = start + (long) (sent++ * 1e9 / rate);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                    byte[] key = id.getBytes(StandardCharsets.UTF_8);
                    String value = "{\"reward\":" + (random.nextInt(10) == 0 ? "1.0" : "-0.111") + "}";
                    producer.send(new ProducerRecord<>("policyrec.feedback", key, value.getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                double produced = (System.nanoTime() - start) / 1e9;
                double joined = 0;
                long deadline = System.currentTimeMillis() + 120_000;
                while (joined < events && System.currentTimeMillis() < deadline) {
                    waitQuietly(50);
                    joined = service.metric(JOINED) - joinedBefore;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double applied = joined / seconds;
                rates.add(applied);
                System.out.printf(Locale.ROOT, "round %d: %,d rewards produced in %.2f s, %,.0f applied in %.2f s: "
                                + "%,.0f events/s applied; version %d -> %d; %,.0f decisions logged so far%n", round,
                        ids.size(), produced, joined, seconds, applied, versionBefore, service.version(policy), logged);
            }
        }
        double[] fresh = freshness(service);
        double count = fresh[fresh.length - 1] - freshBefore[freshBefore.length - 1];
        System.out.printf(Locale.ROOT, "applied events/s per round: %s; mean %,.0f%n", rates.stream()
                .map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList(), rates.stream().mapToDouble(d -> d)
                .average().orElse(0));
        StringBuilder dist = new StringBuilder();
        for (int i = 0; i < BUCKETS.length; i++) {
            dist.append(String.format(Locale.ROOT, "%s<=%s s: %.1f%%", i == 0 ? "" : ", ", BUCKETS[i],
                    100 * (fresh[i] - freshBefore[i]) / count));
        }
        System.out.printf(Locale.ROOT, "freshness, reward received -> served version (%,.0f rewards): p50 %s, p99 %s;"
                + " cumulative %s%n", count, quantile(fresh, freshBefore, 0.5), quantile(fresh, freshBefore, 0.99), dist);
        return 0;
    }

    static final String[] BUCKETS = {"0.05", "0.1", "0.2", "0.3", "0.5", "1.0", "2.0", "5.0", "+Inf"};

    /** Cumulative counts of the service's freshness histogram buckets. */
    static double[] freshness(ServiceClient service) throws Exception {
        double[] counts = new double[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
            counts[i] = service.metric("policyrec_feedback_freshness_seconds_bucket{le=\"" + BUCKETS[i] + "\"}");
        }
        return counts;
    }

    /** The bucket bound under which the quantile falls ("<= 0.3 s"). */
    static String quantile(double[] after, double[] before, double q) {
        double total = after[after.length - 1] - before[before.length - 1];
        for (int i = 0; i < BUCKETS.length; i++) {
            if (after[i] - before[i] >= q * total) {
                return "<= " + BUCKETS[i] + " s";
            }
        }
        return "?";
    }

    static List<String> decisions(ServiceClient service, String policy, int n, float[][] pool, SplittableRandom random)
            throws Exception {
        List<String> ids = new ArrayList<>(n);
        int batch = 1000;
        while (ids.size() < n) {
            int size = Math.min(batch, n - ids.size());
            float[][] contexts = new float[size][];
            for (int i = 0; i < size; i++) {
                contexts[i] = pool[random.nextInt(pool.length)];
            }
            for (JsonNode d : service.recommendBatch(policy, contexts)) {
                ids.add(d.get("eventId").asText());
            }
        }
        return ids;
    }

    static void waitQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
