package io.policyrec.policy;

import java.util.Locale;

/** What a divergence regularizer compares the policy with. */
public enum ReferenceKind {
    /** The uniform distribution: the paper's code. */
    UNIFORM,
    /** The mixture of the last M snapshots of the same policy: the paper's abstract. */
    PREVIOUS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ReferenceKind parse(String s) {
        for (ReferenceKind t : values()) {
            if (t.wireName().equals(s)) {
                return t;
            }
        }
        return null;
    }
}
