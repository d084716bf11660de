package io.policyrec.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A policy's catalog as serving reads it: the actions an application described once, by id, each
 * as a candidate (hashed for the policy's layout) and with the features it was given. Immutable;
 * replaced whole when the stored catalog's version moves.
 *
 * @param ids     in id order (what a request without candidates offers)
 * @param ordered the candidates in that order, and positions each id's index in it: built once
 *                per catalog version, so that a request offering the whole catalog builds nothing
 *                (shared by every such request: do not modify)
 */
public record Catalog(long version, List<String> ids, Map<String, Candidate> candidates,
                      Map<String, JsonNode> features, Candidate[] ordered, Map<String, Integer> positions) {
    public static final Catalog EMPTY = of(0, List.of(), Map.of(), Map.of());

    /** A catalog with its request form derived from its ids and candidates. */
    public static Catalog of(long version, List<String> ids, Map<String, Candidate> candidates,
                             Map<String, JsonNode> features) {
        Candidate[] ordered = new Candidate[ids.size()];
        Map<String, Integer> positions = new java.util.HashMap<>(2 * ids.size());
        for (int i = 0; i < ordered.length; i++) {
            ordered[i] = candidates.get(ids.get(i));
            positions.put(ids.get(i), i);
        }
        // A view, not Map.copyOf: copying 100,000 entries into an immutable map was most of a
        // catalog change's time (its probing dominated a profile of single PUTs).
        return new Catalog(version, ids, candidates, features, ordered, java.util.Collections.unmodifiableMap(positions));
    }

    public int size() {
        return ids.size();
    }
}
