package io.policyrec.policy;

/**
 * One action a decision may draw, described rather than numbered: the bucket of its id (which
 * carries its own learned bias) and its hashed features (what a new action is judged by).
 */
public record Candidate(int identity, Context features) {

    /** The identity as a one-feature context, for the identity table's embedding bag. */
    public Context identityContext() {
        return new Context(new int[] {identity}, new float[] {1f});
    }
}
