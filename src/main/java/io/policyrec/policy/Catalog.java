package io.policyrec.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A policy's catalog as serving reads it: the actions an application described once, by id, each
 * as a candidate (hashed for the policy's layout) and with the features it was given. Immutable;
 * replaced whole when the stored catalog's version moves.
 *
 * @param ids in id order (what a request without candidates offers)
 */
public record Catalog(long version, List<String> ids, Map<String, Candidate> candidates,
                      Map<String, JsonNode> features) {
    public static final Catalog EMPTY = new Catalog(0, List.of(), Map.of(), Map.of());

    public int size() {
        return ids.size();
    }
}
