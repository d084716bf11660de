package io.policyrec.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Spotify environment has the paper's shape: 20 genres, 50 tracks, 1 to 4 liked genres, rewards in {-1, 0, 1}. */
class SpotifyBanditTest {

    @Test
    void contextsAndRewardsHaveThePapersShape() throws Exception {
        SpotifyBandit env = SpotifyBandit.load();
        assertEquals(20, env.contextDimension());
        assertEquals(50, env.actionCount());
        assertEquals(10_000, env.testSet().size());
        SplittableRandom random = new SplittableRandom(4);
        int[] likedCounts = new int[21];
        int[] rewardCounts = new int[3];
        for (int i = 0; i < 5000; i++) {
            Sample s = env.draw(random);
            int liked = 0;
            for (float v : s.context()) {
                assertTrue(v == 0f || v == 1f);
                liked += (int) v;
            }
            likedCounts[liked]++;
            for (double r : s.rewards()) {
                assertTrue(r == -1 || r == 0 || r == 1);
                rewardCounts[(int) r + 1]++;
            }
            double max = java.util.Arrays.stream(s.rewards()).max().orElseThrow();
            assertEquals(max, s.rewards()[s.best()], "the best-scoring track has the highest reward");
        }
        assertEquals(0, likedCounts[0]);
        for (int liked = 1; liked <= 4; liked++) {
            assertTrue(likedCounts[liked] > 0, "contexts with " + liked + " liked genres");
        }
        for (int liked = 5; liked <= 20; liked++) {
            assertEquals(0, likedCounts[liked]);
        }
        assertTrue(rewardCounts[0] > 0 && rewardCounts[1] > 0 && rewardCounts[2] > 0, "all three rewards occur");
    }
}
