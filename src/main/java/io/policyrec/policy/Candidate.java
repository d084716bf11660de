package io.policyrec.policy;

/**
 * One action a decision may draw, described rather than numbered: the table row of its identity
 * (which carries its own learned bias) and its features as rows of the table (what a new action
 * is judged by). {@link CandidateLayout#candidate} makes one from an id and hashed features.
 */
public record Candidate(int identity, Context features) {
}
