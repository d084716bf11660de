package io.policyrec.background;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Lowers the calling thread's CPU priority (its Linux nice value), so that a background thread
 * that can keep a core busy (the learner) gives way to the request threads whenever both want one,
 * and takes whatever they leave. Java's thread priorities do nothing on Linux unless the JVM runs
 * with {@code -XX:ThreadPriorityPolicy=1}, which a packaged service cannot count on; raising the
 * nice value of one's own thread needs no privilege, and {@code renice} on the thread's id does it
 * without native code. Threads the lowered one creates afterwards (OpenMP's, a Kafka consumer's
 * heartbeat) inherit its value: a heartbeat every few seconds against a 10 s session timeout is
 * still scheduled within milliseconds at nice 10, but a much lower share would not be safe.
 */
final class ThreadPriority {
    private static final Logger LOG = Logger.getLogger(ThreadPriority.class);
    private static final Path SELF = Path.of("/proc/thread-self/stat");

    private ThreadPriority() {
    }

    /** Sets the calling thread's nice value (1-19; 0 or less leaves it as it is); says so when it cannot. */
    static void lowerCurrent(String name, int nice) {
        if (nice <= 0) {
            return;
        }
        int wanted = Math.min(nice, 19);
        try {
            String tid = stat()[0];
            // Without -n: util-linux takes -n as relative under POSIXLY_CORRECT; a bare value is absolute.
            Process p = new ProcessBuilder("renice", Integer.toString(wanted), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("renice of %s failed: %s", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // stopping: no warning about a priority that no longer matters
        }
        OptionalInt now = currentNice();
        if (now.isPresent() && now.getAsInt() >= wanted) {
            LOG.debugf("%s runs at nice %d", name, now.getAsInt());
        } else {
            LOG.warnf("Cannot lower the CPU priority of %s to nice %d (Linux and renice needed): it competes with "
                    + "requests for the CPU as an equal", name, wanted);
        }
    }

    /** The calling thread's nice value, where Linux says it. */
    static OptionalInt currentNice() {
        try {
            String[] f = stat();
            // Fields from the state on (the third); the nice value is the nineteenth.
            return OptionalInt.of(Integer.parseInt(f[1].split(" ")[16]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** The thread's id, then everything after its name (which may hold spaces and parentheses). */
    private static String[] stat() throws IOException {
        String s = Files.readString(SELF);
        return new String[] {s.substring(0, s.indexOf(' ')), s.substring(s.lastIndexOf(')') + 2)};
    }
}
