package io.policyrec.testing;

/** Polls a condition until it holds; not within the timeout is a failure. */
public final class Poll {
    private Poll() {
    }

    /** A condition that may need I/O to check (an HTTP call, a log file). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void until(Condition condition, long timeoutMillis, String what) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.holds()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + timeoutMillis + " ms: " + what);
            }
            Metrics.sleep(20);
        }
    }
}
