package io.policyrec.policy;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policies this instance serves, each as its current immutable snapshot. Requests read with a
 * plain map lookup; the learner publishes a new snapshot with one atomic replace, and only over the
 * same incarnation, so that a policy replaced meanwhile is never overwritten by its predecessor.
 */
public final class PolicyRegistry {
    private final ConcurrentHashMap<String, PolicySnapshot> policies = new ConcurrentHashMap<>();

    public PolicySnapshot get(String name) {
        return policies.get(name);
    }

    public Collection<PolicySnapshot> all() {
        return policies.values();
    }

    /** Creates or replaces; returns the snapshot it replaced, or null. */
    public PolicySnapshot put(PolicySnapshot snapshot) {
        return policies.put(snapshot.name(), snapshot);
    }

    /** Publishes a newer snapshot of the same incarnation; false if the policy was replaced or removed. */
    public boolean publish(PolicySnapshot snapshot) {
        PolicySnapshot result = policies.computeIfPresent(snapshot.name(),
                (name, current) -> current.incarnation() == snapshot.incarnation() ? snapshot : current);
        return result == snapshot;
    }

    public PolicySnapshot remove(String name) {
        return policies.remove(name);
    }
}
