package io.policyrec.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Feedback records as applications write them to the topic: rewards, clicks, activations. */
class FeedbackParserTest {
    final FeedbackParser parser = new FeedbackParser(1.0);

    RoutedFeedback parse(String key, String value) throws FeedbackParser.Invalid {
        return parser.parse(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), 5000);
    }

    @Test
    void anActivationIsReadAsOneAndNotAsAReward() throws Exception {
        RoutedFeedback f = parse(null, "{\"eventId\":\"e.1\",\"activate\":true,\"timestamp\":1234}");
        assertTrue(RewardJoin.isActivation(f.reward()));
        assertEquals("e.1", f.eventId());
        assertEquals(1234, f.eventTime());
        RoutedFeedback back = RoutedFeedback.decode(f.encode());
        assertTrue(RewardJoin.isActivation(back.reward()), "it crosses the routed topic as an activation");
        assertFalse(RewardJoin.isActivation(parse("e.2", "{\"reward\":0.5}").reward()));
    }

    @Test
    void anActivationWithARewardOrNotTrueIsRefused() {
        for (String value : new String[] {"{\"eventId\":\"e\",\"activate\":true,\"reward\":1}",
                "{\"eventId\":\"e\",\"activate\":false}", "{\"eventId\":\"e\",\"activate\":\"yes\"}"}) {
            FeedbackParser.Invalid e = assertThrows(FeedbackParser.Invalid.class, () -> parse(null, value), value);
            assertEquals("invalid-activation", e.reason());
        }
        FeedbackParser.Invalid nan = assertThrows(FeedbackParser.Invalid.class,
                () -> parse(null, "{\"eventId\":\"e\",\"reward\":NaN}"));
        assertEquals("non-finite-reward", nan.reason(), "a NaN reward is refused, not taken for an activation");
    }
}
