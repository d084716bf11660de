package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Body of {@code POST /recommend/batch} and {@code /recommend/probabilities}: one decision per
 * context, the other fields shared.
 *
 * @param contexts a dense policy's contexts
 * @param features a named-features policy's contexts: one JSON object (or array of objects) each
 */
public record BatchRecommendRequest(String policy, float[][] contexts, List<JsonNode> eligibleActions, Integer k,
                                    Boolean explain, List<JsonNode> features) {
}
