package io.policyrec.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The paper's Spotify problem with the tracks as actions described by their features: the context
 * is the liked genres by name ({@code {"likes": ["pop", "rock"]}}), each candidate a track with its
 * 10 audio features and its id, the reward the paper's rule (+1 / 0 / -1 from the product of the
 * centred genre and track features, {@link SpotifyBandit}). The served catalog starts as the paper's
 * 50 tracks; {@link #replace} swaps some of them for tracks of the genre playlists never served
 * before (about 1,900), centred as the 50 are, so their rewards follow the same rule.
 */
public final class SpotifyCatalog {
    private static final String ROOT = "datasets/spotify/";
    private static final String[] FEATURE_NAMES = {"acousticness", "danceability", "energy", "instrumentalness",
        "liveness", "loudness", "mode", "speechiness", "tempo", "valence"};

    /** The name of audio feature j, in the order of {@link Track#features()}. */
    public static String featureName(int j) {
        return FEATURE_NAMES[j];
    }

    /** A track: its Spotify id, its 10 audio features as the files give them, and those centred. */
    public record Track(String id, double[] features, double[] centred) {
    }

    /** A context with each served track's reward; best indexes the served list. */
    public record Sample(List<String> likes, double[] rewards, int best) {
    }

    private final double[][] genres;
    private final List<String> genreNames;
    private final List<Track> served;
    private final List<Track> unseen;

    private SpotifyCatalog(double[][] genres, List<String> genreNames, List<Track> served, List<Track> unseen) {
        this.genres = genres;
        this.genreNames = genreNames;
        this.served = served;
        this.unseen = unseen;
    }

    public static SpotifyCatalog load() throws IOException {
        List<String[]> genreRows = SpotifyBandit.csv(ROOT + "genres.csv");
        genreRows.sort(Comparator.comparing(r -> r[1]));
        double[][] g = new double[genreRows.size()][];
        Map<String, double[]> pool = new LinkedHashMap<>();
        for (int i = 0; i < g.length; i++) {
            List<String[]> rows = SpotifyBandit.csv(ROOT + "tracks/" + genreRows.get(i)[1] + ".csv");
            g[i] = SpotifyBandit.meanFeatures(rows);
            for (String[] row : rows) {
                pool.putIfAbsent(row[1], SpotifyBandit.features(row));
            }
        }
        SpotifyBandit.centre(g);
        List<String[]> top = SpotifyBandit.csv(ROOT + "tracks/top50.csv");
        double[] mean = new double[FEATURE_NAMES.length];
        for (String[] row : top) {
            double[] f = SpotifyBandit.features(row);
            for (int j = 0; j < mean.length; j++) {
                mean[j] += f[j] / top.size();
            }
        }
        List<Track> served = new ArrayList<>();
        Set<String> topIds = new HashSet<>();
        for (String[] row : top) {
            served.add(track(row[1], SpotifyBandit.features(row), mean));
            topIds.add(row[1]);
        }
        List<Track> unseen = new ArrayList<>();
        pool.forEach((id, f) -> {
            if (!topIds.contains(id)) {
                unseen.add(track(id, f, mean));
            }
        });
        return new SpotifyCatalog(g, genreRows.stream().map(r -> r[1]).toList(), served, unseen);
    }

    /** Centred by the 50 tracks' mean, as the paper centres them, also for tracks added later. */
    private static Track track(String id, double[] f, double[] mean) {
        double[] c = new double[f.length];
        for (int j = 0; j < f.length; j++) {
            c[j] = f[j] - mean[j];
        }
        return new Track(id, f, c);
    }

    public List<Track> served() {
        return List.copyOf(served);
    }

    /** Tracks of the genre playlists not served yet. */
    public int unseenCount() {
        return unseen.size();
    }

    /**
     * Replaces {@code count} served tracks, drawn at random, by as many tracks never served before;
     * returns the tracks that came in.
     */
    public List<Track> replace(int count, RandomGenerator random) {
        List<Track> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int out = random.nextInt(served.size() - i);
            // The replaced ones move to the end so that none is replaced twice.
            Track in = unseen.remove(random.nextInt(unseen.size()));
            served.remove(out);
            served.add(in);
            added.add(in);
        }
        return added;
    }

    /** As the paper draws a context: floor(20 f) distinct liked genres, f uniform in [0.05, 0.25). */
    public Sample draw(RandomGenerator random) {
        int liked = (int) Math.floor(genres.length * (0.05 + 0.2 * random.nextDouble()));
        boolean[] likes = new boolean[genres.length];
        List<String> names = new ArrayList<>();
        while (names.size() < liked) {
            int g = random.nextInt(genres.length);
            if (!likes[g]) {
                likes[g] = true;
                names.add(genreNames.get(g));
            }
        }
        double[] rewards = new double[served.size()];
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < served.size(); a++) {
            double[] t = served.get(a).centred();
            double score = 0;
            for (int g = 0; g < genres.length; g++) {
                if (likes[g]) {
                    for (int j = 0; j < t.length; j++) {
                        score += genres[g][j] * t[j];
                    }
                }
            }
            rewards[a] = score > 0.1 ? 1.0 : score < -0.1 ? -1.0 : 0.0;
            if (score > bestScore) {
                bestScore = score;
                best = a;
            }
        }
        return new Sample(names, rewards, best);
    }

    /** A fixed held-out set of contexts for the served tracks as they are now. */
    public List<Sample> testSet(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Sample> test = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            test.add(draw(random));
        }
        return test;
    }

    public static JsonNode contextFeatures(List<String> likes) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        likes.forEach(o.putArray("likes")::add);
        return o;
    }

    /** A track as a candidate's features: its 10 audio features by name (its id is the candidate's identity). */
    public static JsonNode actionFeatures(Track t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int j = 0; j < FEATURE_NAMES.length; j++) {
            o.put(FEATURE_NAMES[j], t.features()[j]);
        }
        return o;
    }
}
