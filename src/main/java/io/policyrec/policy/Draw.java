package io.policyrec.policy;

/**
 * Actions drawn without replacement, in the order drawn, each with the exact probability with
 * which it was drawn at its step (given the actions drawn before it).
 */
public record Draw(int[] actions, double[] probabilities) {

    public int first() {
        return actions[0];
    }

    public double firstProbability() {
        return probabilities[0];
    }
}
