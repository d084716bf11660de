package io.policyrec.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import io.policyrec.policy.EventIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The join's primitive storage against the collections it replaced, on random operations. */
class JoinStorageTest {

    @Test
    void eventIdTableAgreesWithAHashMap() {
        EventIdTable table = new EventIdTable();
        Map<String, Integer> reference = new HashMap<>();
        List<String> live = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        int nextSlot = 0;
        for (int step = 0; step < 50_000; step++) {
            if (!live.isEmpty() && r.nextInt(3) == 0) {
                String id = live.remove(r.nextInt(live.size()));
                table.remove(reference.remove(id));
            } else {
                // Generated ids (kept as two longs) and a client's own (kept as strings), mixed.
                String id = switch (r.nextInt(3)) {
                    case 0 -> EventIds.next();
                    case 1 -> "order-" + r.nextInt(1_000_000) + "-" + step;
                    default -> EventIds.next().toUpperCase();
                };
                table.add(id, nextSlot);
                reference.put(id, nextSlot++);
                live.add(id);
            }
            if (step % 97 == 0) {
                for (String id : live) {
                    int slot = table.find(id);
                    assertEquals(reference.get(id), slot, id);
                    assertEquals(id, table.eventId(slot));
                }
                assertEquals(-1, table.find("not-there-" + step));
            }
        }
        assertEquals(reference.size(), table.size());
    }

    @Test
    void slotHeapPollsAsAPriorityQueueAndRemovesFromTheMiddle() {
        long[] key = new long[10_000];
        SlotHeap heap = new SlotHeap((a, b) -> key[a] != key[b] ? Long.compare(key[a], key[b]) : Integer.compare(a, b));
        PriorityQueue<Integer> reference = new PriorityQueue<>(
                (a, b) -> key[a] != key[b] ? Long.compare(key[a], key[b]) : Integer.compare(a, b));
        SplittableRandom r = new SplittableRandom(5);
        List<Integer> in = new ArrayList<>();
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < key.length; s++) {
            out.add(s);
        }
        for (int step = 0; step < 40_000; step++) {
            int op = r.nextInt(4);
            if (op <= 1 && !out.isEmpty()) {
                int slot = out.remove(r.nextInt(out.size()));
                key[slot] = r.nextInt(100);
                heap.add(slot);
                reference.add(slot);
                in.add(slot);
            } else if (op == 2 && !in.isEmpty()) {
                int slot = in.remove(r.nextInt(in.size()));
                heap.remove(slot);
                reference.remove(slot);
                out.add(slot);
            } else if (!in.isEmpty()) {
                int slot = heap.poll();
                assertEquals(reference.poll(), slot);
                in.remove(Integer.valueOf(slot));
                out.add(slot);
            }
            assertEquals(reference.size(), heap.size());
        }
    }

    @Test
    void arenaKeepsRecordsExactlyAcrossSegmentsAndReportsTheOldest() {
        int[] where = new int[1000];
        DecisionArena arena = new DecisionArena(10, new SegmentPool(1 << 20));
        Map<Integer, Object[]> live = new HashMap<>();
        List<Integer> order = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(7);
        for (int slot = 0; slot < 1000; slot++) {
            int n = 1 + r.nextInt(40);
            boolean sparse = r.nextBoolean();
            int[] indices = sparse ? r.ints(n, 0, 1 << 18).sorted().toArray() : null;
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = (float) r.nextGaussian();
            }
            int[] eligible = r.nextBoolean() ? null : r.ints(1 + r.nextInt(5), 0, 50).toArray();
            int[] actions = r.ints(1 + r.nextInt(3), 0, 50).toArray();
            double[] q = r.doubles(actions.length).toArray();
            // Every other record a decision among candidates (an empty feature list included).
            Candidate[] candidates = null;
            if (r.nextBoolean()) {
                candidates = new Candidate[1 + r.nextInt(6)];
                for (int c = 0; c < candidates.length; c++) {
                    int m = r.nextInt(4);
                    float[] v = new float[m];
                    for (int i = 0; i < m; i++) {
                        v[i] = (float) r.nextGaussian();
                    }
                    candidates[c] = new Candidate(r.nextInt(1 << 16), new Context(r.ints(m, 0, 1 << 16).toArray(), v));
                }
            }
            where[slot] = arena.append(slot, new Context(indices, values), eligible, actions, q, candidates);
            live.put(slot, new Object[] {indices, values, eligible, actions, q, candidates});
            order.add(slot);
            // Free most records at random, so segments empty out of order and are reused.
            if (r.nextInt(4) != 0) {
                int gone = order.remove(r.nextInt(order.size()));
                arena.free(where[gone]);
                live.remove(gone);
            }
        }
        assertEquals(order.get(0).intValue(), arena.oldestSlot(), "the first live record is the oldest arrival");
        for (var e : live.entrySet()) {
            int at = where[e.getKey()];
            Object[] x = e.getValue();
            Context c = arena.context(at);
            if (x[0] == null) {
                assertNull(c.indices());
            } else {
                assertArrayEquals((int[]) x[0], c.indices());
            }
            assertArrayEquals((float[]) x[1], c.values());
            assertArrayEquals((int[]) x[2], arena.eligible(at));
            assertArrayEquals((int[]) x[3], arena.actions(at));
            assertArrayEquals((double[]) x[4], arena.probabilities(at));
            Candidate[] in = (Candidate[]) x[5];
            Candidate[] out = arena.candidates(at);
            if (in == null) {
                assertNull(out);
                continue;
            }
            assertEquals(in.length, out.length);
            for (int j = 0; j < in.length; j++) {
                assertEquals(in[j].identity(), out[j].identity());
                assertArrayEquals(in[j].features().indices(), out[j].features().indices());
                assertArrayEquals(in[j].features().values(), out[j].features().values());
            }
        }
        assertTrue(arena.capacity() < 64 * 1024, "emptied segments leave: " + arena.capacity());
    }

    @Test
    void emptiedSegmentsAreKeptUpToThePoolsBytesAndAStreamAllocatesNoneOnceItsWindowFilled() {
        int segmentBytes = 4 << 10; // segmentBits 10
        SegmentPool pool = new SegmentPool(6L * segmentBytes);
        DecisionArena arena = new DecisionArena(10, pool);
        java.util.ArrayDeque<Integer> window = new java.util.ArrayDeque<>();
        int slot = 0;
        // A burst: 80 records of 100 ints (10 a segment, 8 segments) pending at once, then all freed.
        for (; slot < 80; slot++) {
            window.addLast(arena.append(slot, new Context(null, new float[90]), null, new int[] {0},
                    new double[] {1.0}, null));
        }
        while (!window.isEmpty()) {
            arena.free(window.pollFirst());
        }
        assertEquals(8, pool.allocated());
        assertEquals(6L * segmentBytes, pool.spareBytes(), "kept up to the pool's bytes (the open one stays)");
        // A steady stream with about 3 segments pending: every segment it opens comes from the pool.
        for (int i = 0; i < 2_000; i++, slot++) {
            window.addLast(arena.append(slot, new Context(null, new float[90]), null, new int[] {0},
                    new double[] {1.0}, null));
            if (window.size() > 30) {
                int gone = window.pollFirst();
                assertEquals(slot - 30, arena.oldestSlot());
                arena.free(gone);
            }
        }
        assertEquals(8, pool.allocated(), "no segment allocated after the burst's 8");
        // Its partition leaves: every segment goes back, the open one too, up to the pool's bytes.
        arena.release();
        assertEquals(6L * segmentBytes, pool.spareBytes());
        assertEquals(-1, arena.oldestSlot(), "a released arena is empty");
        int stale = window.peekLast();
        assertThrows(NullPointerException.class, () -> arena.context(stale), "a kept position reads no freed memory");
        assertThrows(IllegalStateException.class, () -> arena.append(0, new Context(null, new float[90]), null,
                new int[] {0}, new double[] {1.0}, null), "nor is a decision added after");
    }
}
