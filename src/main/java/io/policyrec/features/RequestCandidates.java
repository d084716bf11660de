package io.policyrec.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.Catalog;
import io.policyrec.policy.CandidateLayout;
import io.policyrec.policy.Context;
import io.policyrec.policy.PolicyConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The candidates a request brings to a policy over action features:
 * {@code [{"id": "a1", "features": {...}}, "a2", ...]}, each id distinct, each with its named
 * features (an object, or an array of objects merged, as a context's) hashed into the policy's
 * action buckets, or a bare id naming an action of the policy's catalog; no list at all offers the
 * whole catalog. Errors name the field at fault ({@code candidates[3].features.price}).
 *
 * @param ids        the candidates' ids, in request order
 * @param candidates the same candidates as the learner reads them
 * @param positions  each id's index
 */
public record RequestCandidates(String[] ids, Candidate[] candidates, Map<String, Integer> positions) {
    public static final int MAX_ID_LENGTH = 256;
    /**
     * The most features all of a request's candidates may have together: a logged decision costs
     * about 8 bytes a feature, and 100,000 keep it under the 1 MB a Kafka record may have by default.
     */
    public static final int MAX_FEATURES = 100_000;

    /** @param field the list's name in errors ("candidates", or Personalizer's "actions") */
    public static RequestCandidates read(JsonNode list, String field, CandidateLayout layout,
                                         NamedFeatures.Limits limits, Catalog catalog) {
        if (list == null || list.isNull()) {
            return whole(catalog, field);
        }
        if (!list.isArray() || list.isEmpty()) {
            throw new InvalidFeaturesException(field, "must be a non-empty array of {\"id\", \"features\"} "
                    + "or catalog ids");
        }
        if (list.size() > PolicyConfig.MAX_CANDIDATES) {
            throw new InvalidFeaturesException(field, "at most " + PolicyConfig.MAX_CANDIDATES
                    + " candidates per request, not " + list.size());
        }
        String[] ids = new String[list.size()];
        Candidate[] candidates = new Candidate[list.size()];
        Map<String, Integer> seen = new HashMap<>(2 * ids.length);
        long features = 0;
        for (int i = 0; i < ids.length; i++) {
            // Errors name the candidate (candidates[3].id); the name is built only for an error.
            JsonNode c = list.get(i);
            if (c != null && c.isTextual()) {
                ids[i] = c.textValue();
                candidates[i] = catalog.candidates().get(ids[i]);
                if (candidates[i] == null) {
                    throw new InvalidFeaturesException(NamedFeatures.element(field, i, ""), "'" + ids[i]
                            + "' is not in the policy's catalog (" + catalog.size() + " actions); bring it as "
                            + "{\"id\", \"features\"} or add it first");
                }
            } else if (c != null && c.isObject()) {
                ids[i] = id(c.get("id"), field, i);
                candidates[i] = candidate(ids[i], NamedFeatures.hash(c.get("features"), field, i, ".features",
                        layout.actionBits(), limits), layout);
            } else {
                throw new InvalidFeaturesException(NamedFeatures.element(field, i, ""), "must be an object "
                        + "{\"id\", \"features\"} or a catalog id");
            }
            features += candidates[i].features().size();
            if (features > MAX_FEATURES) {
                throw new InvalidFeaturesException(field, "the candidates have more than " + MAX_FEATURES
                        + " features together (a logged decision must stay under a Kafka record's size)");
            }
            Integer earlier = seen.put(ids[i], i);
            if (earlier != null) {
                throw new InvalidFeaturesException(NamedFeatures.element(field, i, c.isTextual() ? "" : ".id"),
                        "'" + ids[i] + "' is also " + field + "[" + earlier + "]: ids must be distinct");
            }
        }
        return new RequestCandidates(ids, candidates, seen);
    }

    /** A request without candidates: the whole catalog, when there is one and it fits a request. */
    private static RequestCandidates whole(Catalog catalog, String field) {
        if (catalog.size() == 0) {
            throw new InvalidFeaturesException(field, "is required: a list of {\"id\": ..., \"features\": "
                    + "{...}} (or catalog ids), as the policy's catalog is empty");
        }
        if (catalog.size() > PolicyConfig.MAX_CANDIDATES) {
            throw new InvalidFeaturesException(field, "the catalog holds " + catalog.size() + " actions; name "
                    + "at most " + PolicyConfig.MAX_CANDIDATES + " of them in candidates");
        }
        return new RequestCandidates(catalog.ids().toArray(new String[0]), catalog.ordered(), catalog.positions());
    }

    /** An action id: a non-empty string of at most {@value #MAX_ID_LENGTH} characters. */
    public static String id(JsonNode id, String field) {
        if (!validId(id)) {
            throw invalidId(field);
        }
        return id.textValue();
    }

    /** The id of candidate i of a list, checked as {@link #id(JsonNode, String)} checks it. */
    private static String id(JsonNode id, String list, int i) {
        if (!validId(id)) {
            throw invalidId(NamedFeatures.element(list, i, ".id"));
        }
        return id.textValue();
    }

    private static boolean validId(JsonNode id) {
        return id != null && id.isTextual() && !id.textValue().isBlank() && id.textValue().length() <= MAX_ID_LENGTH;
    }

    private static InvalidFeaturesException invalidId(String field) {
        return new InvalidFeaturesException(field, "must be a non-empty string of at most " + MAX_ID_LENGTH
                + " characters");
    }

    /** One action as the learner reads it: the bucket of its id and its hashed features. */
    public static Candidate candidate(String id, JsonNode features, String field, CandidateLayout layout,
                                      NamedFeatures.Limits limits) {
        return candidate(id, NamedFeatures.hash(features, field, layout.actionBits(), limits), layout);
    }

    private static Candidate candidate(String id, Context hashedFeatures, CandidateLayout layout) {
        return layout.candidate(FeatureHash.bucket(id, layout.actionBits()), hashedFeatures);
    }

    /** The index of an id among the candidates, or -1. */
    public int indexOf(String id) {
        return positions.getOrDefault(id, -1);
    }
}
