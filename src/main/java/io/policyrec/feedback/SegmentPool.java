package io.policyrec.feedback;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayDeque;

/**
 * The memory of {@link DecisionArena} segments: off the Java heap, shared by the arenas of one
 * learner thread, and kept for reuse once empty, up to a number of bytes (the pending budget's).
 * Not thread-safe, like the joins that share it.
 *
 * <p>Why off the heap: a segment is 4 MB, a humongous object for G1 at the usual heaps, and G1
 * may start a concurrent cycle at each humongous allocation once the heap is past its occupancy
 * threshold. While a reward window filled (the first 30 s at any new rate, which is every step of a
 * rate search) the arena opened a segment or more per second: 61 concurrent starts and 64 remark
 * pauses of up to 18 ms in 25 s of serving a dense policy at 4,000/s (JFR), where the baseline
 * endpoint had none. Off the heap a segment is neither a humongous object nor heap occupancy, and
 * still not copied by young collections.
 *
 * <p>Kept up to the budget's bytes, a steady rate allocates no segment once its window has filled;
 * one beyond that is freed at once (not left to a collection to find), as are an arena's segments
 * when its partition leaves ({@link DecisionArena#release()}).
 */
final class SegmentPool {
    /**
     * A segment: its memory (what is freed) and the int and float views the arena reads and writes. Not a
     * record: a record's equals and hashCode would read the buffers' contents, freed memory once
     * the segment is freed.
     */
    static final class Segment {
        private final ByteBuffer memory;
        private final IntBuffer ints;
        private final FloatBuffer floats;

        Segment(ByteBuffer memory) {
            this.memory = memory;
            this.ints = memory.asIntBuffer();
            this.floats = memory.asFloatBuffer();
        }

        ByteBuffer memory() {
            return memory;
        }

        IntBuffer ints() {
            return ints;
        }

        /**
         * The same memory as floats (same positions as {@link #ints()}): a context's values go in and
         * out in one bulk copy instead of an int at a time with its bit conversion (with the join's
         * cached policy numbers, 5.1 and 5.0 to 4.4 and 3.7 us a dense decision in
         * {@code RewardJoinBenchmark}, the builds run in turn).
         */
        FloatBuffer floats() {
            return floats;
        }
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SegmentPool.class);

    private static final MethodHandle FREE = freeHandle();
    private final long maxBytes;
    private final ArrayDeque<Segment> spare = new ArrayDeque<>();
    private long spareBytes;
    private long allocated;

    SegmentPool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A segment of {@code ints} ints, kept or new (not cleared: the arena writes before it reads). */
    Segment take(int ints) {
        Segment s = spare.pollLast();
        if (s != null) {
            spareBytes -= s.memory().capacity();
            if (s.ints().capacity() == ints) {
                return s;
            }
            free(s); // arenas of one thread use one size: a test's other size
        }
        allocated++;
        return new Segment(ByteBuffer.allocateDirect(4 * ints).order(ByteOrder.nativeOrder()));
    }

    /** An empty segment: kept if the pool has room for it, freed if not. */
    void giveBack(Segment segment) {
        long bytes = segment.memory().capacity();
        if (spareBytes + bytes <= maxBytes) {
            spare.addLast(segment);
            spareBytes += bytes;
        } else {
            free(segment);
        }
    }

    /** Segments allocated so far (not taken from the pool). */
    long allocated() {
        return allocated;
    }

    /** Bytes in kept segments. */
    long spareBytes() {
        return spareBytes;
    }

    private static void free(Segment s) {
        if (FREE == null) {
            return; // left to the collector, which frees a direct buffer's memory with the buffer
        }
        try {
            FREE.invokeExact(s.memory());
        } catch (Throwable e) {
            throw new IllegalStateException("cannot free a decision segment", e);
        }
    }

    /** sun.misc.Unsafe.invokeCleaner, bound: frees a direct buffer's memory now (null where absent). */
    private static MethodHandle freeHandle() {
        try {
            Class<?> unsafe = Class.forName("sun.misc.Unsafe");
            Field f = unsafe.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup().findVirtual(unsafe, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Decision segments beyond the pending budget will be freed by the collector, not at once: %s",
                    e.toString());
            return null;
        }
    }
}
