package io.policyrec.feedback;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.DateTimeException;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads a feedback record of the {@code policyrec.feedback} topic: JSON {"eventId", "reward",
 * "timestamp"?} with the event id as key. A click stream that only knows event ids may send the
 * id as key with an empty value (or "{}"): that is a click, worth {@code clickReward}.
 * {"eventId", "activate": true, "timestamp"?} activates a deferred decision (Personalizer's
 * Activate) and carries no reward.
 */
public final class FeedbackParser {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Set<String> FIELDS = Set.of("eventId", "reward", "timestamp", "activate");
    /**
     * Room for a Personalizer event id (256 characters) under its loop's name (128) and the
     * partition Kafka routes it by.
     */
    public static final int MAX_EVENT_ID = 400;
    /**
     * Rewards are clicks, ratings or amounts; a bound far above any of them keeps gradients (float
     * weights, summed rewards) finite, so one absurd record cannot turn a policy into NaNs.
     */
    public static final double MAX_ABS_REWARD = 1e6;

    /** A record that could not be used, with the reason written to the dead-letter header. */
    public static final class Invalid extends Exception {
        private final String reason;

        Invalid(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private final double clickReward;

    public FeedbackParser(double clickReward) {
        this.clickReward = clickReward;
    }

    /**
     * @param key           the record key (the event id), or null
     * @param recordTime    the record's timestamp, used when the value has none
     */
    public RoutedFeedback parse(byte[] key, byte[] value, long recordTime) throws Invalid {
        String keyId = key == null || key.length == 0 ? null : new String(key, StandardCharsets.UTF_8);
        String eventId = keyId;
        double reward = clickReward;
        long time = recordTime;
        boolean activation = false;
        if (value != null && value.length > 0) {
            JsonNode node;
            try {
                node = JSON.readTree(value);
            } catch (java.io.IOException e) {
                throw new Invalid("malformed-json", "not JSON: " + firstLine(e.getMessage()));
            }
            if (node == null || !node.isObject()) {
                throw new Invalid("malformed-json", "the value must be a JSON object");
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    throw new Invalid("unknown-field", "unknown field '" + name + "'");
                }
            }
            JsonNode id = node.get("eventId");
            if (id != null && !id.isNull()) {
                if (!id.isTextual()) {
                    throw new Invalid("invalid-event-id", "eventId must be a string");
                }
                eventId = id.textValue();
            }
            JsonNode r = node.get("reward");
            if (r != null && !r.isNull()) {
                if (!r.isNumber()) {
                    throw new Invalid("invalid-reward", "reward must be a number");
                }
                reward = r.doubleValue();
            }
            JsonNode activate = node.get("activate");
            if (activate != null && !activate.isNull()) {
                if (!activate.isBoolean() || !activate.booleanValue() || (r != null && !r.isNull())) {
                    throw new Invalid("invalid-activation", "activate must be true, and without a reward");
                }
                activation = true;
            }
            JsonNode t = node.get("timestamp");
            if (t != null && !t.isNull()) {
                Long parsed = parseTime(t);
                if (parsed == null) {
                    throw new Invalid("invalid-timestamp", "timestamp must be epoch milliseconds or ISO-8601, not before 1970");
                }
                time = parsed;
            }
        }
        if (eventId == null || eventId.isBlank()) {
            throw new Invalid("missing-event-id", "no eventId in the value and no key");
        }
        if (eventId.length() > MAX_EVENT_ID) {
            throw new Invalid("invalid-event-id", "eventId longer than " + MAX_EVENT_ID);
        }
        if (activation) {
            return new RoutedFeedback(eventId, RewardJoin.ACTIVATION, time, recordTime);
        }
        if (!Double.isFinite(reward)) {
            throw new Invalid("non-finite-reward", "reward must be finite, not " + reward);
        }
        if (Math.abs(reward) > MAX_ABS_REWARD) {
            throw new Invalid("invalid-reward", "reward must be within +-" + MAX_ABS_REWARD + ", not " + reward);
        }
        return new RoutedFeedback(eventId, reward, time, recordTime);
    }

    /** Epoch milliseconds from a number or an ISO-8601 instant; null when neither or before 1970. */
    public static Long parseTime(JsonNode t) {
        Long millis = null;
        if (t.isIntegralNumber() && t.canConvertToLong()) {
            millis = t.longValue();
        } else if (t.isTextual()) {
            try {
                millis = Instant.parse(t.textValue()).toEpochMilli();
            } catch (DateTimeException | ArithmeticException e) {
                // unparseable, or outside the range of epoch milliseconds
                return null;
            }
        }
        // Kafka record times cannot be negative, and no decision is that old.
        return millis != null && millis >= 0 ? millis : null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int n = s.indexOf('\n');
        return n < 0 ? s : s.substring(0, n);
    }
}
