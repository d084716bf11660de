package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Body of {@code POST /recommend}.
 *
 * @param policy          the policy's name; "default" when absent
 * @param eligibleActions the actions allowed for this decision (all when absent)
 * @param k               how many distinct actions to rank (1 when absent)
 * @param explain         also return the full distribution
 */
public record RecommendRequest(String policy, float[] context, List<JsonNode> eligibleActions, Integer k,
                               Boolean explain) {
}
