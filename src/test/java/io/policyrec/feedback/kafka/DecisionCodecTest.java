package io.policyrec.feedback.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The decision log's records: each format back as it went in, and a forged count refused. */
class DecisionCodecTest {

    @Test
    void aDecisionOverCandidatesComesBackWithEveryCandidate() {
        Candidate[] candidates = {
            new Candidate(300, new Context(new int[] {260, 270}, new float[] {1f, 0.25f})),
            new Candidate(301, new Context(new int[] {261}, new float[] {-3f})),
            new Candidate(302, new Context(new int[0], new float[0]))};
        Decision d = new Decision("e-1", "p", 7, 3, 1000, new Context(new int[] {1, 5}, new float[] {1f, 2f}),
                new int[] {0, 2}, new int[] {2, 0}, new double[] {0.75, 1.0}, candidates);
        Decision back = DecisionCodec.decode(DecisionCodec.encode(d));
        assertEquals(d.eventId(), back.eventId());
        assertArrayEquals(d.context().indices(), back.context().indices());
        assertArrayEquals(d.eligible(), back.eligible());
        assertArrayEquals(d.actions(), back.actions());
        assertArrayEquals(d.probabilities(), back.probabilities());
        assertEquals(3, back.candidates().length);
        for (int a = 0; a < 3; a++) {
            assertEquals(candidates[a].identity(), back.candidates()[a].identity());
            assertArrayEquals(candidates[a].features().indices(), back.candidates()[a].features().indices());
            assertArrayEquals(candidates[a].features().values(), back.candidates()[a].features().values());
        }
    }

    @Test
    void aDeferredDecisionComesBackDeferred() {
        Candidate[] candidates = {new Candidate(300, new Context(new int[] {260}, new float[] {1f}))};
        Decision d = new Decision("e-3", "p", 7, 3, 1000, new Context(new int[] {1}, new float[] {1f}), null,
                new int[] {0}, new double[] {1.0}, candidates, true);
        Decision back = DecisionCodec.decode(DecisionCodec.encode(d));
        org.junit.jupiter.api.Assertions.assertTrue(back.deferred());
        assertEquals(1, back.candidates().length);
        org.junit.jupiter.api.Assertions.assertFalse(DecisionCodec.decode(DecisionCodec.encode(
                new Decision("e-4", "p", 7, 3, 1000, d.context(), null, d.actions(), d.probabilities(), candidates)))
                .deferred());
    }

    @Test
    void aDecisionOfFixedActionsHasNoCandidates() {
        Decision d = new Decision("e-2", "p", 7, 3, 1000, Context.dense(new float[] {1f, 2f}), null, new int[] {1},
                new double[] {0.5});
        assertNull(DecisionCodec.decode(DecisionCodec.encode(d)).candidates());
    }

    @Test
    void aForgedCandidateCountIsRefused() {
        Decision d = new Decision("e-3", "p", 7, 3, 1000, new Context(new int[] {1}, new float[] {1f}), null,
                new int[] {0}, new double[] {1.0}, new Candidate[] {new Candidate(9, new Context(new int[] {4},
                        new float[] {1f}))});
        byte[] bytes = DecisionCodec.encode(d);
        // The candidate count sits before the one candidate: identity, count, one row, one value.
        int at = bytes.length - 16 - 4;
        byte[] forged = Arrays.copyOf(bytes, bytes.length);
        forged[at] = 0x7f;
        assertThrows(IllegalArgumentException.class, () -> DecisionCodec.decode(forged));
    }
}
