package io.policyrec.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.PolicyConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The candidates a request brings to a policy over action features:
 * {@code [{"id": "a1", "features": {...}}, ...]}, each id distinct, each with its named features
 * (an object, or an array of objects merged, as a context's), hashed into the policy's action
 * buckets. Errors name the field at fault ({@code candidates[3].features.price}).
 *
 * @param ids        the candidates' ids, in request order
 * @param candidates the same candidates as the learner reads them
 * @param positions  each id's index
 */
public record RequestCandidates(String[] ids, Candidate[] candidates, Map<String, Integer> positions) {
    public static final int MAX_ID_LENGTH = 256;

    public static RequestCandidates read(JsonNode list, CandidateLayout layout, NamedFeatures.Limits limits) {
        if (list == null || list.isNull()) {
            throw new InvalidFeaturesException("candidates", "is required: a list of {\"id\": ..., \"features\": "
                    + "{...}} for a policy over action features");
        }
        if (!list.isArray() || list.isEmpty()) {
            throw new InvalidFeaturesException("candidates", "must be a non-empty array of {\"id\", \"features\"}");
        }
        if (list.size() > PolicyConfig.MAX_CANDIDATES) {
            throw new InvalidFeaturesException("candidates", "at most " + PolicyConfig.MAX_CANDIDATES
                    + " candidates per request, not " + list.size());
        }
        String[] ids = new String[list.size()];
        Candidate[] candidates = new Candidate[list.size()];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            String field = "candidates[" + i + "]";
            JsonNode c = list.get(i);
            if (c == null || !c.isObject()) {
                throw new InvalidFeaturesException(field, "must be an object {\"id\", \"features\"}");
            }
            JsonNode id = c.get("id");
            if (id == null || !id.isTextual() || id.textValue().isBlank() || id.textValue().length() > MAX_ID_LENGTH) {
                throw new InvalidFeaturesException(field + ".id", "must be a non-empty string of at most "
                        + MAX_ID_LENGTH + " characters");
            }
            Integer earlier = seen.put(id.textValue(), i);
            if (earlier != null) {
                throw new InvalidFeaturesException(field + ".id", "'" + id.textValue() + "' is also candidates["
                        + earlier + "]: ids must be distinct");
            }
            ids[i] = id.textValue();
            candidates[i] = layout.candidate(FeatureHash.bucket(ids[i], layout.actionBits()),
                    NamedFeatures.hash(c.get("features"), field + ".features", layout.actionBits(), limits));
        }
        return new RequestCandidates(ids, candidates, seen);
    }

    /** The index of an id among the candidates, or -1. */
    public int indexOf(String id) {
        return positions.getOrDefault(id, -1);
    }
}
