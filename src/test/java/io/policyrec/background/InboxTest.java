package io.policyrec.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.testing.Poll;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class InboxTest {

    @Test
    void keepsOrderAndRefusesBeyondItsCapacity() throws Exception {
        Inbox<Object> inbox = new Inbox<>(2);
        assertTrue(inbox.offer("a"));
        assertTrue(inbox.offer("b"));
        assertFalse(inbox.offer("c"), "a full inbox refuses (the loop counts the decision as dropped)");
        assertEquals("a", inbox.take(0));
        assertEquals("b", inbox.poll());
        assertNull(inbox.poll());
        assertTrue(inbox.isEmpty());
    }

    @Test
    void anOfferWakesAnIdleTaker() throws Exception {
        Inbox<Object> inbox = new Inbox<>(10);
        // Idle from the start: the taker waits for an offer to wake it, up to a minute.
        CompletableFuture<Object> taken = CompletableFuture.supplyAsync(() -> {
            Object item;
            do { // a park may return early (spuriously): the loop's learner takes again, as here
                item = takeOrFail(inbox, TimeUnit.MINUTES.toNanos(1));
            } while (item == null);
            return item;
        });
        Poll.until(inbox::waiting, 10_000, "the taker to wait for a wake-up");
        assertTrue(inbox.offer("decision"));
        // A taker not woken would return after a minute, past this bound: a failure, not a slow pass.
        assertEquals("decision", taken.get(20, TimeUnit.SECONDS));
        assertEquals(1, inbox.wakeups());
    }

    @Test
    void aBusyTakerIsNotWokenPerItem() throws Exception {
        Inbox<Object> inbox = new Inbox<>(10_000);
        int items = 2_000;
        List<Object> got = new ArrayList<>();
        Thread taker = new Thread(() -> {
            while (got.size() < items) {
                Object o = takeOrFail(inbox, TimeUnit.SECONDS.toNanos(1));
                if (o != null) {
                    got.add(o);
                }
            }
        });
        taker.start();
        // One item every 100 us, as decisions at 10,000/s: with a signal per offer the taker was
        // woken for nearly every one of them.
        for (int i = 0; i < items; i++) {
            assertTrue(inbox.offer(i));
            LockSupport.parkNanos(100_000);
        }
        taker.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(taker.isAlive(), "the taker got " + got.size() + " of " + items);
        for (int i = 0; i < items; i++) {
            assertEquals(i, got.get(i));
        }
        // Woken once when the first item found it idle; again only if the producer paused for
        // longer than the idle time (a slow machine), never per item.
        assertTrue(inbox.wakeups() <= 20, inbox.wakeups() + " wake-ups for " + items + " items");
    }

    @Test
    void anInterruptedTakerGetsWhatIsQueuedThenAnExceptionInsteadOfAWait() throws Exception {
        Inbox<Object> inbox = new Inbox<>(10);
        inbox.offer("queued");
        Thread.currentThread().interrupt();
        try {
            assertEquals("queued", inbox.take(TimeUnit.SECONDS.toNanos(1)), "what is queued is still handed over");
            // A park returns at once while the flag is set: taking null here, a loop around take
            // would spin on a core until shutdown.
            assertThrows(InterruptedException.class, () -> inbox.take(TimeUnit.SECONDS.toNanos(1)));
            assertFalse(Thread.currentThread().isInterrupted(), "the flag is consumed, as a blocking queue's poll does");
        } finally {
            Thread.interrupted();
        }
    }

    private static Object takeOrFail(Inbox<Object> inbox, long maxWaitNanos) {
        try {
            return inbox.take(maxWaitNanos);
        } catch (InterruptedException e) {
            throw new AssertionError("the taker was interrupted", e);
        }
    }
}
