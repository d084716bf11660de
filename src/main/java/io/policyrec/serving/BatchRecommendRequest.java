package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Body of {@code POST /recommend/batch}: one decision per context, the other fields shared. */
public record BatchRecommendRequest(String policy, float[][] contexts, List<JsonNode> eligibleActions, Integer k,
                                    Boolean explain) {
}
