package io.policyrec.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop HTTP load at a constant rate, as wrk2 does it: request i is due at start + i / rate
 * and its latency counts from when it was due, so a stalled server shows in the percentiles
 * instead of slowing the generator down (no coordinated omission). Runs /recommend and the
 * baseline endpoint (same body, constant answer) in the same run, finds the highest rate each
 * holds under a p99 bound, and reports their ratio and the latency at half the baseline's rate.
 */
final class HttpCommand {
    static final String HELP = """
            http: open-loop load on /recommend against the baseline endpoint.
              --url          the service (http://localhost:8080); start it with policyrec.http.baseline-endpoint=true
              --policy       policy to call (default), 784 floats per context unless --dimension
              --dimension    context length (784)
              --candidates n bodies that bring n candidates (items of 10 features, a visitor of 20) to a policy
                             over action features, created as "actions": {"type": "features", "bits": 16}
              --personalizer n  Azure Personalizer Rank bodies with n actions (the same visitor and items as
                             --candidates) to /loops/<policy>/personalizer/v1.0/rank, against
                             /baseline/personalizer/v1.0/rank parsing the same body
              --features     named-features bodies instead (a shop visitor of 30 features); creates the policy
                             with "input": {"type": "features", "bits": 16} (replacing one of that name)
              --connections  HTTP/1.1 connections (16)
              --rate         run one constant rate (requests/s) instead of searching for the maximum
              --endpoints    baseline,recommend (both, the baseline first: /recommend's decisions are
                             learned from when their reward windows close, which would load the
                             baseline's steps if it ran after) or one of them
              --p99-bound-ms p99 a rate must hold to count as sustained (25)
              --duration     seconds measured per step (8), after --warmup seconds (3); /recommend's
                             warm-up lasts at least the policy's reward window and 2 s more, so that
                             the learner works at the step's rate (decisions are learned from when
                             their windows close: after a 3 s warm-up with the default 30 s window, a
                             step's learning was the decisions of steps long before, at other rates)
              --jit-warmup   seconds at 2,000/s before the search, not measured (20)
            A step that misses the bound is run a second time; it fails only if both miss.""";

    private HttpCommand() {
    }

    /** The HTTP client that sends the load, and the service's admin client that reads its GC figures. */
    record Load(HttpClient http, ServiceClient service) {
    }

    /** One measured step. */
    record Step(String endpoint, double target, double achieved, Histogram latency, long errors, String gc) {
        double p(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }

        boolean holds(double boundMs) {
            return errors == 0 && achieved >= 0.95 * target && p(99) <= boundMs;
        }

        String line() {
            return String.format(Locale.ROOT, "%-10s target %,8.0f/s achieved %,8.0f/s  p50 %7.2f ms  p90 %7.2f ms  "
                            + "p99 %7.2f ms  p99.9 %7.2f ms  max %8.2f ms  errors %d", endpoint, target, achieved, p(50),
                    p(90), p(99), p(99.9), latency.getMaxValue() / 1000.0, errors) + gc;
        }
    }

    static int run(Args args) throws Exception {
        if (args.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        URI url = URI.create(args.get("url", "http://localhost:8080"));
        String policy = args.get("policy", "default");
        int dimension = args.getInt("dimension", 784);
        int connections = args.getInt("connections", 16);
        List<String> endpoints = args.getList("endpoints", "baseline,recommend");
        double bound = args.getDouble("p99-bound-ms", 25);
        int duration = args.getInt("duration", 8);
        int warmup = args.getInt("warmup", 3);
        int jitWarmup = args.getInt("jit-warmup", 20);
        String fixed = args.get("rate", null);
        ServiceClient service = new ServiceClient(url.toString());
        boolean features = args.has("features");
        int candidates = args.getInt("candidates", 0);
        int ranked = args.getInt("personalizer", 0);
        args.checkAllRead();
        if (candidates > 0 || ranked > 0) {
            service.putPolicy(policy, Map.of("input", Map.of("type", "features", "bits", 16),
                    "actions", Map.of("type", "features", "bits", 16)));
        } else if (features) {
            service.putPolicy(policy, Map.of("input", Map.of("type", "features", "bits", 16),
                    "actions", 10));
        }

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(url.getHost())
                .setDefaultPort(url.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
        Load client = new Load(http, service);
        List<Buffer> bodies = ranked > 0 ? rankBodies(ranked, 200) : candidates > 0 ? candidateBodies(policy, candidates, 200)
                : features ? namedBodies(policy, 200) : bodies(policy, dimension, 200);
        String served = ranked > 0 ? "/loops/" + policy + "/personalizer/v1.0/rank" : "/recommend";
        String baseline = ranked > 0 ? "/baseline/personalizer/v1.0/rank" : "/baseline/recommend";
        try {
            Map<String, Double> max = new java.util.LinkedHashMap<>();
            // Only /recommend learns; a window past two minutes is warmed up for two (and said so).
            int learning = 0;
            if (endpoints.contains("recommend")) {
                long window = (long) Math.ceil(service.rewardWindow(policy).toMillis() / 1000.0);
                learning = (int) Math.min(window + 2, 120);
                if (window + 2 > 120) {
                    System.out.printf(Locale.ROOT, "reward window %d s: /recommend steps warmed up for 120 s only%n",
                            window);
                }
            }
            int learningWarmup = Math.max(warmup, learning);
            for (String endpoint : endpoints) {
                String path = endpoint.equals("baseline") ? baseline : served;
                int warm = endpoint.equals("baseline") ? warmup : learningWarmup;
                // A fresh JVM (service and this client) compiles for its first seconds; measured steps
                // start once both are warm, so the search finds the rate and not the JIT.
                run(client, endpoint, path, bodies, 2000, jitWarmup);
                if (fixed != null) {
                    run(client, endpoint, path, bodies, Double.parseDouble(fixed), warm);
                    System.out.println(run(client, endpoint, path, bodies, Double.parseDouble(fixed), duration).line());
                    continue;
                }
                max.put(endpoint, findMax(client, endpoint, path, bodies, bound, warm, duration));
            }
            if (max.containsKey("recommend") && max.containsKey("baseline")) {
                double ratio = max.get("recommend") / max.get("baseline");
                System.out.printf(Locale.ROOT, "%nmax rate with p99 <= %.0f ms: recommend %,.0f/s, baseline %,.0f/s, "
                        + "ratio recommend/baseline %.2f%n", bound, max.get("recommend"), max.get("baseline"), ratio);
                double half = max.get("baseline") / 2;
                run(client, "recommend", served, bodies, half, learningWarmup);
                Step s = run(client, "recommend", served, bodies, half, duration);
                System.out.printf(Locale.ROOT, "at half the baseline's maximum (%,.0f/s): %s%n", half, s.line());
            }
        } finally {
            http.close();
            vertx.close();
        }
        return 0;
    }

    static double findMax(Load client, String endpoint, String path, List<Buffer> bodies, double bound,
                          int warmup, int duration) throws InterruptedException {
        double pass = 0;
        double fail = Double.NaN;
        double rate = 500;
        while (Double.isNaN(fail) && rate <= 200_000) {
            Step s = step(client, endpoint, path, bodies, rate, bound, warmup, duration);
            if (s.holds(bound)) {
                pass = rate;
                rate *= 2;
            } else {
                fail = rate;
            }
        }
        for (int i = 0; i < 3 && !Double.isNaN(fail); i++) {
            double mid = (pass + fail) / 2;
            Step s = step(client, endpoint, path, bodies, mid, bound, warmup, duration);
            if (s.holds(bound)) {
                pass = mid;
            } else {
                fail = mid;
            }
        }
        System.out.printf(Locale.ROOT, "%s holds %,.0f requests/s with p99 <= %.0f ms%n", endpoint, pass, bound);
        return pass;
    }

    /** One search step; a step that misses the bound is run once more, so one stray pause does not decide it. */
    static Step step(Load client, String endpoint, String path, List<Buffer> bodies, double rate, double bound,
                     int warmup, int duration) throws InterruptedException {
        Step s = null;
        for (int attempt = 0; attempt < 2 && (s == null || !s.holds(bound)); attempt++) {
            run(client, endpoint, path, bodies, rate, warmup);
            s = run(client, endpoint, path, bodies, rate, duration);
            System.out.println(s.line() + (s.holds(bound) ? "" : attempt == 0 ? "   <- not held, once more" : "   <- not held"));
        }
        return s;
    }

    static Step run(Load client, String endpoint, String path, List<Buffer> bodies, double rate, int seconds)
            throws InterruptedException {
        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicLong errors = new AtomicLong();
        long total = (long) (rate * seconds);
        CountDownLatch done = new CountDownLatch((int) total);
        long interval = (long) (1e9 / rate);
        ServiceCost costBefore = ServiceCost.scrape(client.service());
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Buffer body = bodies.get((int) (i % bodies.size()));
            client.http().request(HttpMethod.POST, path)
                    .compose(req -> req.putHeader("Content-Type", "application/json").send(body))
                    .compose(resp -> resp.body().map(b -> resp.statusCode()))
                    .onComplete(ar -> {
                        long micros = (System.nanoTime() - due) / 1000;
                        synchronized (latency) {
                            latency.recordValue(Math.min(Math.max(micros, 0), 60_000_000L));
                        }
                        // Personalizer's Rank answers 201, as its clients require.
                        if (ar.failed() || (ar.result() != 200 && ar.result() != 201)) {
                            errors.incrementAndGet();
                        }
                        done.countDown();
                    });
        }
        done.await(seconds + 60L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        String gc = ServiceCost.scrape(client.service()).since(costBefore, elapsed, total);
        return new Step(endpoint, rate, total / elapsed, latency, errors.get() + done.getCount(), gc);
    }

    /** Named-features bodies: a shop visitor of 30 features each (as the engine benchmark's). */
    static List<Buffer> namedBodies(String policy, int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        List<Buffer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Buffer.buffer("{\"policy\":\"" + policy + "\",\"features\":"
                    + io.policyrec.loadtest.bench.NamedFeaturesBenchmark.visitor(r) + "}"));
        }
        return out;
    }

    /**
     * Bodies that bring their candidates: a visitor of 20 features and n items of 10 features each
     * (as the engine benchmark's), for a policy over action features.
     */
    static List<Buffer> candidateBodies(String policy, int n, int count) {
        return offers(n, count, (user, items) -> "{\"policy\":\"" + policy + "\",\"features\":" + user
                + ",\"candidates\":" + items + "}", false);
    }

    /**
     * Personalizer Rank bodies: the same visitors as contextFeatures and the same items as actions,
     * each item's features one object in its features list, as Personalizer's clients send them.
     */
    static List<Buffer> rankBodies(int n, int count) {
        return offers(n, count, (user, items) -> "{\"contextFeatures\":[" + user + "],\"actions\":" + items + "}",
                true);
    }

    /** count bodies, each a visitor and n items (drawn in this order, the same for both shapes). */
    private static List<Buffer> offers(int n, int count,
                                       java.util.function.BiFunction<String, String, String> body, boolean listed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        List<Buffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder items = new StringBuilder("[");
            for (int a = 0; a < n; a++) {
                items.append(a == 0 ? "" : ",").append("{\"id\":\"item-").append(r.nextInt(100_000))
                        .append('-').append(a).append("\",\"features\":").append(listed ? "[" : "")
                        .append(io.policyrec.loadtest.bench.CandidateBenchmark.item(r)).append(listed ? "]}" : "}");
            }
            items.append(']');
            out.add(Buffer.buffer(body.apply(io.policyrec.loadtest.bench.CandidateBenchmark.user(r).toString(),
                    items.toString())));
        }
        return out;
    }

    /** Realistic bodies: 784 floats of Fashion-MNIST-like images (or random when the data is absent). */
    static List<Buffer> bodies(String policy, int dimension, int n) {
        float[][] contexts = dimension == 784 ? io.policyrec.loadtest.bench.BenchSupport.contexts(n) : null;
        List<Buffer> out = new ArrayList<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int i = 0; i < n; i++) {
            float[] x = contexts != null ? contexts[i] : new float[dimension];
            if (contexts == null) {
                for (int j = 0; j < dimension; j++) {
                    x[j] = (float) r.nextDouble();
                }
            }
            StringBuilder sb = new StringBuilder("{\"policy\":\"").append(policy).append("\",\"context\":");
            ServiceClient.appendContext(sb, x);
            out.add(Buffer.buffer(sb.append('}').toString()));
        }
        return out;
    }
}
