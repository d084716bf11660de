package io.policyrec.policy;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The policies this instance serves, each as its current immutable snapshot. Requests read with a
 * plain map lookup; the learner publishes a new snapshot with one atomic replace, and only over the
 * same incarnation, so that a policy replaced meanwhile is never overwritten by its predecessor.
 */
public final class PolicyRegistry {
    private final ConcurrentHashMap<String, PolicySnapshot> policies = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Hears every change of what is served: a policy's new snapshot, or null when it was removed. */
    @FunctionalInterface
    public interface Listener {
        void changed(String name, PolicySnapshot served);
    }

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    public void unlisten(Listener listener) {
        listeners.remove(listener);
    }

    private void changed(String name, PolicySnapshot served) {
        for (Listener l : listeners) {
            l.changed(name, served);
        }
    }

    public PolicySnapshot get(String name) {
        return policies.get(name);
    }

    public Collection<PolicySnapshot> all() {
        return policies.values();
    }

    /** Creates or replaces; returns the snapshot it replaced, or null. */
    public PolicySnapshot put(PolicySnapshot snapshot) {
        PolicySnapshot old = policies.put(snapshot.name(), snapshot);
        changed(snapshot.name(), snapshot);
        return old;
    }

    /** Publishes a newer snapshot of the same incarnation; false if the policy was replaced or removed. */
    public boolean publish(PolicySnapshot snapshot) {
        PolicySnapshot result = policies.computeIfPresent(snapshot.name(),
                (name, current) -> current.incarnation() == snapshot.incarnation() ? snapshot : current);
        if (result != snapshot) {
            return false;
        }
        changed(snapshot.name(), snapshot);
        return true;
    }

    /** Serves a snapshot: over the same incarnation as {@link #publish}, else in place of what was served. */
    public void serve(PolicySnapshot snapshot) {
        if (!publish(snapshot)) {
            put(snapshot);
        }
    }

    public PolicySnapshot remove(String name) {
        PolicySnapshot old = policies.remove(name);
        if (old != null) {
            changed(name, null);
        }
        return old;
    }

    /** Removes a policy if this incarnation of it is served; true if it was. */
    public boolean remove(String name, long incarnation) {
        PolicySnapshot current = policies.get(name);
        if (current == null || current.incarnation() != incarnation || !policies.remove(name, current)) {
            return false;
        }
        changed(name, null);
        return true;
    }
}
