package io.policyrec.loadtest;

import io.policyrec.policy.PolicyConfig;
import io.policyrec.simulation.BanditEnvironment;
import io.policyrec.simulation.DriftingEnvironment;
import io.policyrec.simulation.Evaluation;
import io.policyrec.simulation.Experiment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The paper's experiment for a data set, a list of agents and several seeds: a CSV per run, a
 * summary with 95% intervals over seeds, and a self-contained HTML page of plots.
 */
final class ExperimentCommand {
    static final String HELP = """
            experiment: the paper's experiment for data sets, agents and seeds.
              --data      fashion-mnist | spotify | spotify-tracks (the tracks as actions described by their audio
                          features, learning rate 0.003 unless --lr) | <folder with IDX files>   (comma-separated)
              --agents    e.g. none,entropy:0.25,mmd:2.0,js:0.5:previous,entropy:0:target=0.8
                          (default: the paper's seven agents with its lambdas for the data set)
              --agents-extra  agents added to those (e.g. an adaptive-lambda one)
              --updates   gradient steps per run (1000)
              --batch     contexts per step (100)
              --lr        Adam learning rate (0.001)
              --baseline  none | mean (none, as the paper)
              --seeds     number of seeds, 1..n (3)
              --eval-every evaluate on the test set every this many updates (updates/20)
              --swap-at   spotify-tracks: the update after which 25 of the 50 served tracks are replaced by tracks
                          never served (none)
              --drift-at  interactions after which preferences change (which action is right for each context is
                          permuted); the summary then reports each agent before and after, and its recovery
              --parallel  runs at once (1)
              --out       output folder (results)
              --service   run against this service (e.g. http://localhost:8080) instead of in process; start it
                          with policyrec.learner.max-batch-delay=0 (and policyrec.http.max-batch >= the batch)
              --feedback  http | kafka: how rewards reach the service (http)
              --bootstrap Kafka bootstrap servers for --feedback kafka (localhost:9092)""";

    private ExperimentCommand() {
    }

    static int run(Args args) throws Exception {
        if (args.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        List<String> datasets = args.getList("data", "fashion-mnist");
        String agentsOption = args.get("agents", null);
        String extraAgents = args.get("agents-extra", null);
        int updates = args.getInt("updates", 1000);
        int batch = args.getInt("batch", 100);
        double lr = args.getDouble("lr", 0.001);
        String baseline = args.get("baseline", "none");
        int seeds = args.getInt("seeds", 3);
        int evalEvery = args.getInt("eval-every", Math.max(1, updates / 20));
        int parallel = args.getInt("parallel", 1);
        Path out = Path.of(args.get("out", "results"));
        String serviceUrl = args.get("service", null);
        String feedback = args.get("feedback", "http");
        String bootstrap = args.get("bootstrap", "localhost:9092");
        long driftAt = args.getLong("drift-at", 0);
        int swapAt = args.getInt("swap-at", 0);
        boolean lrGiven = args.has("lr");
        args.checkAllRead();
        if (driftAt > 0 && (driftAt < (long) evalEvery * batch || driftAt >= (long) updates * batch)) {
            throw new IllegalArgumentException("--drift-at must fall between the first evaluation ("
                    + (long) evalEvery * batch + " interactions) and the end (" + (long) updates * batch + ")");
        }

        for (String dataset : datasets) {
            if (dataset.equals(TrackExperiment.DATA)) {
                if (serviceUrl != null) {
                    throw new IllegalArgumentException(TrackExperiment.DATA + " runs in process only so far");
                }
                TrackExperiment.run(agentsOption == null ? TrackExperiment.defaultAgents()
                                : List.of(agentsOption.split(",")), seeds, updates, batch,
                        lrGiven ? lr : TrackExperiment.LEARNING_RATE, evalEvery, swapAt > 0 ? swapAt : updates, parallel,
                        out.resolve(TrackExperiment.DATA));
                continue;
            }
            BanditEnvironment env = Datasets.load(dataset);
            List<String> agents = new ArrayList<>(agentsOption == null ? Datasets.paperAgents(dataset)
                    : List.of(agentsOption.split(",")));
            if (extraAgents != null) {
                agents.addAll(List.of(extraAgents.split(",")));
            }
            Path dir = out.resolve(env.name());
            Files.createDirectories(dir.resolve("runs"));
            List<RunResult> results = serviceUrl == null
                    ? runAll(env, agents, updates, batch, lr, baseline, seeds, evalEvery, parallel, dir, driftAt)
                    : runRemote(new ServiceClient(serviceUrl), feedback.equals("kafka") ? bootstrap : null, env, agents,
                            updates, batch, lr, baseline, seeds, evalEvery, dir, driftAt);
            String settings = (serviceUrl == null ? "in process; " : "against the service at " + serviceUrl
                    + " with feedback over " + feedback + "; ") + String.format(Locale.ROOT, "%s: %d updates of %d contexts (%,d interactions), Adam %s, "
                    + "baseline %s, a %dx32x32x%d network as in the paper, %d seeds", env.name(), updates, batch,
                    (long) updates * batch, lr, baseline, env.contextDimension(), env.actionCount(), seeds)
                    + (driftAt > 0 ? String.format(Locale.ROOT, "; preferences permuted after %,d interactions", driftAt)
                    : "");
            Report.write(dir, env.name(), settings, agents, results, driftAt);
            System.err.println("wrote " + dir.resolve("summary.md") + " and " + dir.resolve("plots.html"));
        }
        return 0;
    }

    /** The environment of one run: with a drift, its own instance (it counts what it has drawn). */
    static BanditEnvironment forRun(BanditEnvironment env, long driftAt, long seed) {
        return driftAt > 0 ? new DriftingEnvironment(env, driftAt, seed) : env;
    }

    static List<RunResult> runAll(BanditEnvironment env, List<String> agents, int updates, int batch, double lr,
                                  String baseline, int seeds, int evalEvery, int parallel, Path dir, long driftAt)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<RunResult>> futures = new ArrayList<>();
        int total = agents.size() * seeds;
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        for (String spec : agents) {
            Agent agent = Agent.parse(spec);
            for (long seed = 1; seed <= seeds; seed++) {
                long s = seed;
                futures.add(pool.submit(() -> {
                    PolicyConfig config = agent.config(env.contextDimension(), env.actionCount(), batch, lr, s, baseline);
                    long t0 = System.nanoTime();
                    List<Evaluation> evaluations = Experiment.run(forRun(env, driftAt, s), config, updates, evalEvery, s,
                            e -> {
                        if (e.updates() % Math.max(evalEvery, updates / 4) == 0 || e.updates() == updates) {
                            System.err.printf(Locale.ROOT, "  %s %s seed %d: update %d/%d greedy %.3f entropy %.3f "
                                            + "actions %d%n", env.name(), spec, s, e.updates(), updates,
                                    e.greedyReward(), e.meanEntropy(), e.actionsUsed());
                        }
                    });
                    RunResult r = new RunResult(env.name(), spec, s, evaluations, (System.nanoTime() - t0) / 1e9);
                    writeRun(dir.resolve("runs").resolve(fileName(spec) + "__seed" + s + ".csv"), r);
                    System.err.printf(Locale.ROOT, "[%d/%d] %s %s seed %d done in %.1f s (%.0f s elapsed)%n",
                            done.incrementAndGet(), total, env.name(), spec, s, r.seconds(),
                            (System.nanoTime() - started) / 1e9);
                    return r;
                }));
            }
        }
        List<RunResult> results = new ArrayList<>();
        for (Future<RunResult> f : futures) {
            results.add(f.get());
        }
        pool.shutdown();
        return results;
    }

    static List<RunResult> runRemote(ServiceClient service, String bootstrap, BanditEnvironment env,
                                     List<String> agents, int updates, int batch, double lr, String baseline, int seeds,
                                     int evalEvery, Path dir, long driftAt) throws Exception {
        org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> kafka = null;
        if (bootstrap != null) {
            java.util.Properties p = new java.util.Properties();
            p.put("bootstrap.servers", bootstrap);
            p.put("linger.ms", "1");
            kafka = new org.apache.kafka.clients.producer.KafkaProducer<>(p,
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
        }
        List<RunResult> results = new ArrayList<>();
        int total = agents.size() * seeds;
        int done = 0;
        try {
            for (String spec : agents) {
                Agent agent = Agent.parse(spec);
                for (long seed = 1; seed <= seeds; seed++) {
                    long s = seed;
                    String policy = "exp-" + env.name() + "-" + fileName(spec).replace('.', '_') + "-" + seed;
                    long t0 = System.nanoTime();
                    List<Evaluation> evaluations = RemoteExperiment.run(service, kafka, forRun(env, driftAt, s), agent,
                            policy, updates,
                            batch, lr, baseline, evalEvery, seed, e -> System.err.printf(Locale.ROOT,
                                    "  %s %s seed %d: update %d/%d greedy %.3f entropy %.3f actions %d%n", env.name(),
                                    spec, s, e.updates(), updates, e.greedyReward(), e.meanEntropy(), e.actionsUsed()));
                    RunResult r = new RunResult(env.name(), spec, seed, evaluations, (System.nanoTime() - t0) / 1e9);
                    writeRun(dir.resolve("runs").resolve(fileName(spec) + "__seed" + seed + ".csv"), r);
                    results.add(r);
                    System.err.printf(Locale.ROOT, "[%d/%d] %s %s seed %d done in %.1f s%n", ++done, total, env.name(),
                            spec, seed, r.seconds());
                }
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
        return results;
    }

    static String fileName(String agent) {
        return agent.replace(':', '_').replace('=', '-');
    }

    static void writeRun(Path file, RunResult r) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            int k = r.last().actionShares().length;
            StringBuilder header = new StringBuilder("updates,interactions,greedy_reward,greedy_accuracy,sampled_reward,"
                    + "mean_entropy,actions_used,top_action_share,lambda");
            for (int a = 0; a < k; a++) {
                header.append(",share_").append(a);
            }
            w.println(header);
            for (Evaluation e : r.evaluations()) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%.5f,%.5f,%.5f,%.5f,%d,%.5f,%.6f",
                        e.updates(), e.interactions(), e.greedyReward(), e.greedyAccuracy(), e.sampledReward(),
                        e.meanEntropy(), e.actionsUsed(), e.topActionShare(), e.lambda()));
                for (double s : e.actionShares()) {
                    line.append(String.format(Locale.ROOT, ",%.5f", s));
                }
                w.println(line);
            }
        }
    }
}
