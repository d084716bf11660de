package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The join's packed form of a decision's candidates gives back what went in, empty feature lists included. */
class PackedCandidatesTest {

    @Test
    void unpackingGivesBackEveryCandidate() {
        Candidate[] in = {
            new Candidate(300, new Context(new int[] {260, 270, 290}, new float[] {1f, -0.5f, 3f})),
            new Candidate(301, new Context(new int[0], new float[0])),
            new Candidate(305, new Context(new int[] {261}, new float[] {7f}))};
        Candidate[] out = PackedCandidates.of(in).unpack();
        assertEquals(in.length, out.length);
        for (int i = 0; i < in.length; i++) {
            assertEquals(in[i].identity(), out[i].identity());
            assertArrayEquals(in[i].features().indices(), out[i].features().indices(), "candidate " + i);
            assertArrayEquals(in[i].features().values(), out[i].features().values(), "candidate " + i);
        }
    }
}
