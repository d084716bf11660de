package io.policyrec.loadtest;

import io.policyrec.simulation.CatalogExperiment;
import io.policyrec.simulation.HeldOutTally;
import io.policyrec.simulation.SpotifyCatalog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Vowpal Wabbit's {@code cb_explore_adf} on the same Spotify tracks problem as {@code experiment
 * --data spotify-tracks}, side by side: the liked genres as shared features, the 10 audio features
 * and the track id per action, {@code -q GA} between them; the same draws of contexts, rewards,
 * held-out contexts and catalog swap ({@link SpotifyCatalog}), the same figures (greedy reward,
 * top-5, tracks in use, after the swap). VW runs as a daemon, one process per run, driven over its
 * socket: an unlabeled example to decide, the same example labeled with the drawn action's cost
 * (-reward) and probability to learn. VW is a peer measured here, not a dependency: build it from
 * source ({@code ../shared/VW.md}) and pass its binary.
 */
final class VwPeerCommand {
    static final String HELP = """
            vw: Vowpal Wabbit's cb_explore_adf on the spotify-tracks problem, side by side with experiment.
              --vw           the vw binary (built from source, see the guide's VW.md)
              --explorers    softmax,squarecb,epsilon (softmax: --softmax --lambda 10; epsilon: --epsilon 0.05)
              --seeds        seeds 1..n (5)
              --interactions before the swap (100000), then --after (20000) more
              --eval-every   interactions between evaluations (10000; also right after the swap)
              --parallel     runs at a time (2), one vw process each
              --out          folder for summary.md and per-run csv (loadtest/target/vw-tracks)""";
    private static final int TEST_CONTEXTS = 2_000;

    private VwPeerCommand() {
    }

    /** One evaluation on the held-out contexts. */
    record Point(long interactions, double greedy, double topFive, double expected, int used, double newShare) {
    }

    static int run(Args args) throws Exception {
        if (args.has("help")) {
            System.out.println(HELP);
            return 0;
        }
        String vw = args.get("vw", "vw");
        List<String> explorers = args.getList("explorers", "softmax,squarecb,epsilon");
        int seeds = args.getInt("seeds", 5);
        int before = args.getInt("interactions", 100_000);
        int after = args.getInt("after", 20_000);
        int every = args.getInt("eval-every", 10_000);
        int parallel = args.getInt("parallel", 2);
        Path out = Path.of(args.get("out", "loadtest/target/vw-tracks"));
        args.checkAllRead();
        Files.createDirectories(out.resolve("runs"));
        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder("explorer,greedy_reward,top5,tracks_used,after_swap_greedy,after_swap_top5,"
                + "new_share,end_greedy,end_top5\n");
        md.append("| VW explorer | greedy reward | top-5 | tracks used | after the swap: greedy | top-5 | share to new tracks "
                + "| at the end: greedy | top-5 |\n|---|---|---|---|---|---|---|---|---|\n");
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        Map<String, List<Future<List<Point>>>> futures = new LinkedHashMap<>();
        for (String explorer : explorers) {
            explorerArgs(explorer);
            for (int seed = 1; seed <= seeds; seed++) {
                int s = seed;
                futures.computeIfAbsent(explorer, e -> new ArrayList<>()).add(pool.submit(() -> {
                    List<Point> points = runOne(vw, explorer, s, before, after, every);
                    writeCsv(out.resolve("runs").resolve(explorer + "__seed" + s + ".csv"), points);
                    System.err.printf(Locale.ROOT, "%s seed %d: %s%n", explorer, s, points.get(points.size() - 1));
                    return points;
                }));
            }
        }
        pool.shutdown();
        for (String explorer : explorers) {
            List<List<Point>> runs = new ArrayList<>();
            for (Future<List<Point>> f : futures.get(explorer)) {
                runs.add(f.get());
            }
            int swap = swapIndex(runs.get(0), before);
            csv.append(explorer);
            for (double v : new double[] {plain(runs, swap - 1, Point::greedy), plain(runs, swap - 1, Point::topFive),
                plain(runs, swap - 1, p -> p.used()), plain(runs, swap, Point::greedy), plain(runs, swap, Point::topFive),
                plain(runs, swap, Point::newShare), plain(runs, -1, Point::greedy), plain(runs, -1, Point::topFive)}) {
                csv.append(String.format(Locale.ROOT, ",%.5f", v));
            }
            csv.append('\n');
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s of 50 | %s | %s | %s | %s | %s |%n",
                    explorer, mean(runs, swap - 1, Point::greedy), mean(runs, swap - 1, Point::topFive),
                    mean(runs, swap - 1, p -> p.used(), "%.1f"), mean(runs, swap, Point::greedy), mean(runs, swap, Point::topFive),
                    mean(runs, swap, Point::newShare), mean(runs, -1, Point::greedy), mean(runs, -1, Point::topFive)));
        }
        Files.writeString(out.resolve("summary.md"), md.toString());
        Files.writeString(out.resolve("summary.csv"), csv.toString());
        System.out.print(md);
        return 0;
    }

    /** The point right after the swap: the second evaluated at the swap's interactions. */
    private static int swapIndex(List<Point> points, long before) {
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).interactions() == before && points.get(i - 1).interactions() == before) {
                return i;
            }
        }
        throw new IllegalStateException("no swap in the run");
    }

    /** The mean over runs of a figure at one evaluation (-1: the last), with its 95% interval. */
    private static String mean(List<List<Point>> runs, int index, java.util.function.ToDoubleFunction<Point> f,
                               String pattern) {
        return Stats.of(runs.stream().map(r -> f.applyAsDouble(r.get(index < 0 ? r.size() - 1 : index))).toList())
                .format(pattern);
    }

    private static String mean(List<List<Point>> runs, int index, java.util.function.ToDoubleFunction<Point> f) {
        return mean(runs, index, f, "%.3f");
    }

    private static double plain(List<List<Point>> runs, int index, java.util.function.ToDoubleFunction<Point> f) {
        return runs.stream().mapToDouble(r -> f.applyAsDouble(r.get(index < 0 ? r.size() - 1 : index))).average()
                .orElse(Double.NaN);
    }

    static List<String> explorerArgs(String explorer) {
        return switch (explorer) {
            case "softmax" -> List.of("--softmax", "--lambda", "10");
            case "squarecb" -> List.of("--squarecb");
            case "epsilon" -> List.of("--epsilon", "0.05");
            default -> throw new IllegalArgumentException("unknown explorer " + explorer + " (softmax, squarecb, epsilon)");
        };
    }

    static List<Point> runOne(String vw, String explorer, int seed, int before, int after, int every)
            throws IOException, InterruptedException {
        int port = 26_000 + 100 * List.of("softmax", "squarecb", "epsilon").indexOf(explorer) + seed;
        List<String> command = new ArrayList<>(List.of(vw, "--cb_explore_adf", "--daemon", "--foreground", "--port",
                String.valueOf(port), "--num_children", "1", "--quiet", "-q", "GA", "--random_seed",
                String.valueOf(seed)));
        command.addAll(explorerArgs(explorer));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (Socket socket = connect(port, process)) {
            socket.setTcpNoDelay(true);
            // An answer that does not come is a failed run, not a wait without end.
            socket.setSoTimeout((int) TimeUnit.MINUTES.toMillis(1));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream to = socket.getOutputStream();
            SpotifyCatalog catalog = SpotifyCatalog.load();
            SplittableRandom random = new SplittableRandom(seed);
            Set<String> added = new HashSet<>();
            List<Point> points = new ArrayList<>();
            List<SpotifyCatalog.Sample> test = catalog.testSet(TEST_CONTEXTS, 1_000_003L);
            List<SpotifyCatalog.Track> served = catalog.served();
            points.add(evaluate(in, to, test, served, added, 0));
            for (int i = 1; i <= before + after; i++) {
                SpotifyCatalog.Sample sample = catalog.draw(random);
                double[] p = probabilities(ask(in, to, example(sample.likes(), served, -1, 0, 0)), served.size());
                int a = CatalogExperiment.draw(p, random.nextDouble());
                ask(in, to, example(sample.likes(), served, a, -sample.rewards()[a], p[a]));
                if (i % every == 0 || i == before || i == before + after) {
                    points.add(evaluate(in, to, test, served, added, i));
                }
                if (i == before) {
                    for (SpotifyCatalog.Track t : catalog.replace(25, random)) {
                        added.add(t.id());
                    }
                    served = catalog.served();
                    test = catalog.testSet(TEST_CONTEXTS, 1_000_003L);
                    points.add(evaluate(in, to, test, served, added, i));
                }
            }
            return points;
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static Socket connect(int port, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return new Socket("localhost", port);
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("vw did not listen on port " + port + " (exit " + (process.isAlive() ? "none"
                            : process.exitValue()) + ")", e);
                }
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The held-out contexts: greedy (VW's first-ranked action), top-5 (the best among its first five), shares. */
    private static Point evaluate(BufferedReader in, OutputStream to, List<SpotifyCatalog.Sample> test,
                                  List<SpotifyCatalog.Track> served, Set<String> added, long interactions)
            throws IOException {
        HeldOutTally tally = new HeldOutTally(served, added);
        for (SpotifyCatalog.Sample s : test) {
            String answer = ask(in, to, example(s.likes(), served, -1, 0, 0));
            int[] ranking = ranking(answer);
            boolean bestInTopFive = false;
            for (int r = 0; r < Math.min(5, ranking.length); r++) {
                bestInTopFive |= ranking[r] == s.best();
            }
            tally.add(s, probabilities(answer, served.size()), ranking[0], bestInTopFive);
        }
        return new Point(interactions, tally.greedyReward(), tally.topFive(), tally.expectedReward(), tally.tracksUsed(),
                tally.newShare());
    }

    /**
     * One multi-line ADF example: the liked genres as the shared namespace G, each track's id and
     * audio features as namespace A; the drawn action's line labeled {@code 0:cost:probability}.
     */
    static String example(List<String> likes, List<SpotifyCatalog.Track> served, int labeled, double cost,
                          double probability) {
        StringBuilder b = new StringBuilder("shared |G");
        for (String g : likes) {
            b.append(' ').append(token(g));
        }
        b.append('\n');
        for (int a = 0; a < served.size(); a++) {
            SpotifyCatalog.Track t = served.get(a);
            if (a == labeled) {
                b.append(String.format(Locale.ROOT, "0:%s:%s ", cost, probability));
            }
            b.append("|A id=").append(token(t.id()));
            for (int j = 0; j < t.features().length; j++) {
                b.append(' ').append(SpotifyCatalog.featureName(j)).append(':').append(t.features()[j]);
            }
            b.append('\n');
        }
        return b.append('\n').toString();
    }

    private static String token(String s) {
        return s.replaceAll("[\\s|:]", "_");
    }

    private static String ask(BufferedReader in, OutputStream to, String example) throws IOException {
        to.write(example.getBytes(StandardCharsets.UTF_8));
        to.flush();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("vw closed the connection");
            }
        } while (line.isBlank());
        return line;
    }

    /** VW's answer {@code action:probability,...}, in its ranking order. */
    static int[] ranking(String answer) {
        String[] pairs = answer.trim().split(",");
        int[] order = new int[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            order[i] = Integer.parseInt(pairs[i].substring(0, pairs[i].indexOf(':')));
        }
        return order;
    }

    static double[] probabilities(String answer, int k) {
        double[] p = new double[k];
        for (String pair : answer.trim().split(",")) {
            int colon = pair.indexOf(':');
            p[Integer.parseInt(pair.substring(0, colon))] = Double.parseDouble(pair.substring(colon + 1));
        }
        return p;
    }

    private static void writeCsv(Path file, List<Point> points) throws IOException {
        StringBuilder b = new StringBuilder("interactions,greedy_reward,top5,expected_reward,tracks_used,new_share\n");
        for (Point p : points) {
            b.append(String.format(Locale.ROOT, "%d,%.5f,%.5f,%.5f,%d,%.5f%n", p.interactions(), p.greedy(), p.topFive(),
                    p.expected(), p.used(), p.newShare()));
        }
        Files.writeString(file, b);
    }
}
