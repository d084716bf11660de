package io.policyrec.policy;

import java.util.Locale;

/** The reward baseline subtracted in the policy-gradient term. */
public enum BaselineKind {
    /** No baseline: the paper's plain REINFORCE. */
    NONE,
    /** A running mean of the rewards learned from so far. */
    MEAN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BaselineKind parse(String s) {
        for (BaselineKind t : values()) {
            if (t.wireName().equals(s)) {
                return t;
            }
        }
        return null;
    }
}
