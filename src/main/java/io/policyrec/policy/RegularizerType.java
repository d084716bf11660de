package io.policyrec.policy;

import java.util.Locale;

/** The regularizers of the paper (arXiv 2310.05324), plus none for plain REINFORCE. */
public enum RegularizerType {
    NONE, ENTROPY, KL, JS, HELLINGER, TV, MMD;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Bounded divergences may push away from earlier policies without blowing up. */
    public boolean boundedDivergence() {
        return this == JS || this == HELLINGER || this == TV || this == MMD;
    }

    public static RegularizerType parse(String s) {
        for (RegularizerType t : values()) {
            if (t.wireName().equals(s)) {
                return t;
            }
        }
        return null;
    }
}
