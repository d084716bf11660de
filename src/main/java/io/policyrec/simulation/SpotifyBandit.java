package io.policyrec.simulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The paper's Spotify environment, built as its code builds it (datasets/spotify/README.md): 50
 * tracks as actions, contexts of 1 to 4 liked genres out of 20, reward +1 / 0 / -1 from the
 * product of centred genre and track audio features.
 */
public final class SpotifyBandit implements BanditEnvironment {
    private static final String ROOT = "datasets/spotify/";
    private static final int FEATURES = 10;
    private final double[][] scores;
    private final List<String> genreNames;
    private final int genres;
    private final int tracks;
    private final List<Sample> test;

    private SpotifyBandit(double[][] scores, List<String> genreNames) {
        this.scores = scores;
        this.genreNames = List.copyOf(genreNames);
        this.genres = scores.length;
        this.tracks = scores[0].length;
        SplittableRandom random = new SplittableRandom(0);
        this.test = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            test.add(draw(random));
        }
    }

    public static SpotifyBandit load() throws IOException {
        List<String[]> genreRows = csv(ROOT + "genres.csv");
        genreRows.sort(Comparator.comparing(r -> r[1]));
        double[][] g = new double[genreRows.size()][];
        for (int i = 0; i < g.length; i++) {
            g[i] = meanFeatures(csv(ROOT + "tracks/" + genreRows.get(i)[1] + ".csv"));
        }
        List<String[]> top = csv(ROOT + "tracks/top50.csv");
        double[][] t = new double[top.size()][];
        for (int i = 0; i < t.length; i++) {
            t[i] = features(top.get(i));
        }
        centre(g);
        centre(t);
        double[][] r = new double[g.length][t.length];
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < t.length; j++) {
                double s = 0;
                for (int f = 0; f < FEATURES; f++) {
                    s += g[i][f] * t[j][f];
                }
                r[i][j] = s;
            }
        }
        return new SpotifyBandit(r, genreRows.stream().map(row -> row[1]).toList());
    }

    @Override
    public String name() {
        return "spotify";
    }

    @Override
    public int contextDimension() {
        return genres;
    }

    @Override
    public int actionCount() {
        return tracks;
    }

    /** floor(20 f) distinct liked genres, f uniform in [0.05, 0.25): 1 to 4. */
    @Override
    public Sample draw(RandomGenerator random) {
        double f = 0.05 + 0.2 * random.nextDouble();
        int liked = (int) Math.floor(genres * f);
        float[] context = new float[genres];
        int chosen = 0;
        while (chosen < liked) {
            int g = random.nextInt(genres);
            if (context[g] == 0f) {
                context[g] = 1f;
                chosen++;
            }
        }
        double[] rewards = new double[tracks];
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < tracks; a++) {
            double score = 0;
            for (int g = 0; g < genres; g++) {
                if (context[g] != 0f) {
                    score += scores[g][a];
                }
            }
            rewards[a] = score > 0.1 ? 1.0 : score < -0.1 ? -1.0 : 0.0;
            if (score > bestScore) {
                bestScore = score;
                best = a;
            }
        }
        return new Sample(context, rewards, best);
    }

    @Override
    public List<Sample> testSet() {
        return test;
    }

    @Override
    public int accuracyTopK() {
        return 5;
    }

    static double[] meanFeatures(List<String[]> rows) {
        double[] mean = new double[FEATURES];
        for (String[] row : rows) {
            double[] f = features(row);
            for (int i = 0; i < FEATURES; i++) {
                mean[i] += f[i] / rows.size();
            }
        }
        return mean;
    }

    static double[] features(String[] row) {
        double[] f = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            f[i] = Double.parseDouble(row[2 + i]);
        }
        return f;
    }

    static void centre(double[][] m) {
        for (int f = 0; f < m[0].length; f++) {
            double mean = 0;
            for (double[] row : m) {
                mean += row[f] / m.length;
            }
            for (double[] row : m) {
                row[f] -= mean;
            }
        }
    }

    /** Rows of a CSV file with a header line; fields have no quoted commas in these files. */
    static List<String[]> csv(String resource) throws IOException {
        InputStream in = SpotifyBandit.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing " + resource);
        }
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line = r.readLine();
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    rows.add(line.split(",", -1));
                }
            }
        }
        return rows;
    }

    /** The liked genres by name: {@code {"likes": ["pop", "rock"]}}. */
    @Override
    public com.fasterxml.jackson.databind.JsonNode namedContext(float[] context) {
        com.fasterxml.jackson.databind.node.ObjectNode named =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        com.fasterxml.jackson.databind.node.ArrayNode likes = named.putArray("likes");
        for (int g = 0; g < genres; g++) {
            if (context[g] != 0f) {
                likes.add(genreNames.get(g));
            }
        }
        return named;
    }
}
