package io.policyrec.serving;

import io.policyrec.policy.PolicyConfigSpec;
import io.policyrec.policy.PolicySnapshot;

/**
 * A policy as the admin API shows it.
 *
 * @param version the version /recommend reports
 * @param updates gradient steps applied
 * @param lambda  the regularizer weight in force (it moves when a target entropy is set)
 */
public record PolicyView(String name, PolicyConfigSpec config, long version, long updates, double lambda) {
    public static PolicyView of(PolicySnapshot s) {
        return new PolicyView(s.name(), PolicyConfigSpec.of(s.config()), s.version(), s.updates(), s.lambda());
    }
}
