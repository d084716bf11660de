package io.policyrec.personalizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Body of Personalizer's {@code POST /personalizer/v1.0/rank}, field for field.
 *
 * @param contextFeatures  what is known of the user and the moment: a list of JSON objects
 *                         (merged, as {@code features} in /recommend); may be left out
 * @param actions          the actions to rank: {@code [{"id", "features": [{...}]}]}, 1 to 1,000
 *                         (Personalizer took 50); ids of the loop's catalog are also accepted
 * @param excludedActions  ids that must not be drawn (ranked last, probability 0)
 * @param eventId          the caller's id for this event (at most 256 characters), or generated
 * @param deferActivation  true: learned from only if activated within the reward wait time
 */
public record RankRequest(JsonNode contextFeatures, JsonNode actions, List<JsonNode> excludedActions, String eventId,
                          Boolean deferActivation) {
}
