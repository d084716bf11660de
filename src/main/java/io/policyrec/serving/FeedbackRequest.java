package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One reward for one decision.
 *
 * @param timestamp when the reward happened: epoch milliseconds or an ISO-8601 instant; the time
 *                  of arrival when absent
 */
public record FeedbackRequest(String eventId, Double reward, JsonNode timestamp) {
}
