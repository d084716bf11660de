package io.policyrec.loadtest.bench;

import io.policyrec.policy.EventIds;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * One event id, two threads at once (the request path runs on two event loops here): the service's
 * (a DRBG per thread), against the predictable generator it replaced (ThreadLocalRandom) and
 * against one SecureRandom shared by every thread (what UUID.randomUUID does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class EventIdBenchmark {
    private static final SecureRandom SHARED = new SecureRandom();

    @Benchmark
    public String eventIdSecurePerThread() {
        return EventIds.next();
    }

    @Benchmark
    public String eventIdThreadLocalRandom() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new UUID(r.nextLong(), r.nextLong()).toString();
    }

    @Benchmark
    public String eventIdSharedSecureRandom() {
        byte[] b = new byte[16];
        SHARED.nextBytes(b);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
        return new UUID(bb.getLong(), bb.getLong()).toString();
    }
}
