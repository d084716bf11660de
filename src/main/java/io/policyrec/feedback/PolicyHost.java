package io.policyrec.feedback;

import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.snapshot.Announcement;
import io.policyrec.snapshot.StoredPolicy;
import java.util.concurrent.CompletableFuture;

/** What learns the policies of this instance: the embedded loop, or the Kafka learner. */
public interface PolicyHost extends AutoCloseable {

    /** Serves a policy from now on and learns it where this instance is its learner. */
    CompletableFuture<Void> adopt(PolicySnapshot snapshot, PolicyGradientLearner learner, boolean persist);

    /** Stops serving and learning a policy and deletes its snapshots; completes with whether it existed. */
    CompletableFuture<Boolean> forget(String name);

    /**
     * Makes a retained version the latest, on the learner's own thread: no snapshot of the weights
     * it replaces can be written after it. Completes with the version, or empty if it is not retained.
     */
    CompletableFuture<java.util.Optional<StoredPolicy>> rollback(String name, long version);

    /** Whether this instance learns the policy now (else it only serves snapshots others publish). */
    boolean learns(String name);

    /**
     * A snapshot another instance (or an admin call) made the latest: a rollback replaces the
     * learner's weights where this instance learns the policy; a new incarnation starts being
     * learned here if its decisions are ours; a deletion stops learning it here.
     */
    void followed(StoredPolicy latest, Announcement.Kind kind);

    void start();

    @Override
    void close();

    /** A line for the readiness check: "ok", or what is degraded. */
    default String health() {
        return "ok";
    }
}
