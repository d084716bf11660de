package io.policyrec.personalizer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The event ids callers named in the last reward window, so that a second Rank under the same id
 * is refused (a reward for it could not say which decision it meant). Bounded: beyond
 * {@code max} ids the oldest are forgotten. Per instance: a duplicate sent to another instance
 * reaches the join, which keeps the first decision under that id and ignores the second.
 */
final class RecentEventIds {
    private record Entry(String id, long until) {
    }

    private final int max;
    private final Map<String, Long> until = new HashMap<>();
    private final ArrayDeque<Entry> order = new ArrayDeque<>();

    RecentEventIds(int max) {
        this.max = max;
    }

    /** Remembers the id until {@code now + ttlMillis}; false if it was already remembered and not expired. */
    synchronized boolean add(String id, long now, long ttlMillis) {
        while (!order.isEmpty() && (order.peekFirst().until() <= now || order.size() >= max)) {
            Entry old = order.pollFirst();
            until.remove(old.id(), old.until());
        }
        Long known = until.get(id);
        if (known != null && known > now) {
            return false;
        }
        long end = now + ttlMillis;
        until.put(id, end);
        order.addLast(new Entry(id, end));
        return true;
    }

    /** Forgets an id whose Rank failed, so that the caller may retry it. */
    synchronized void forget(String id) {
        until.remove(id);
    }
}
