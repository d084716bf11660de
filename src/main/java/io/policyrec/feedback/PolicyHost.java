package io.policyrec.feedback;

import io.policyrec.learning.PolicyGradientLearner;
import io.policyrec.policy.PolicySnapshot;
import java.util.concurrent.CompletableFuture;

/** What learns the policies of this instance: the embedded loop, or the Kafka learner. */
public interface PolicyHost extends AutoCloseable {

    /** Serves a policy from now on and learns it where this instance is its learner. */
    CompletableFuture<Void> adopt(PolicySnapshot snapshot, PolicyGradientLearner learner, boolean persist);

    /** Stops serving and learning a policy and deletes its snapshots; completes with whether it existed. */
    CompletableFuture<Boolean> forget(String name);

    void start();

    @Override
    void close();

    /** A line for the readiness check: "ok", or what is degraded. */
    default String health() {
        return "ok";
    }
}
