package io.policyrec.simulation;

import java.util.List;
import java.util.random.RandomGenerator;

/** A contextual bandit to learn in: fresh training contexts, and a fixed test set. */
public interface BanditEnvironment {
    String name();

    int contextDimension();

    int actionCount();

    /** A fresh training context with its rewards. */
    Sample draw(RandomGenerator random);

    List<Sample> testSet();

    /** Accuracy counts a hit when the best action is among the policy's top k (1, or 5 for Spotify). */
    int accuracyTopK();
}
