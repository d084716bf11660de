package io.policyrec.personalizer;

/** Body of Personalizer's {@code POST .../events/{eventId}/reward}: {@code {"value": r}}. */
public record RewardRequest(Double value) {
}
