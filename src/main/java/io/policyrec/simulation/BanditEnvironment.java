package io.policyrec.simulation;

import com.fasterxml.jackson.databind.JsonNode;
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

    /**
     * A context as an application would name it, for policies over hashed named features: the same
     * information as the dense vector, with names instead of positions.
     */
    JsonNode namedContext(float[] context);
}
