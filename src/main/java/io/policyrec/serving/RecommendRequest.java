package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Body of {@code POST /recommend}.
 *
 * @param policy          the policy's name; "default" when absent
 * @param context         a dense policy's context: contextDimension numbers
 * @param features        a named-features policy's context: a JSON object, or an array of objects
 *                        merged (see {@code io.policyrec.features.NamedFeatures})
 * @param eligibleActions the actions allowed for this decision (all when absent)
 * @param k               how many distinct actions to rank (1 when absent)
 * @param explain         also return the full distribution
 * @param candidates      a policy over action features: the actions to choose from, each
 *                        {@code {"id": ..., "features": {...}}} (see {@code RequestCandidates})
 * @param excludedActions the actions not allowed for this decision (none when absent)
 */
public record RecommendRequest(String policy, float[] context, List<JsonNode> eligibleActions, Integer k,
                               Boolean explain, JsonNode features, JsonNode candidates,
                               List<JsonNode> excludedActions) {

    /** A request to a policy with fixed actions. */
    public RecommendRequest(String policy, float[] context, List<JsonNode> eligibleActions, Integer k,
                            Boolean explain, JsonNode features) {
        this(policy, context, eligibleActions, k, explain, features, null, null);
    }
}
