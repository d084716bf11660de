package io.policyrec.policy;

import java.util.Locale;

/** How the rewards of one decision within its window become the reward learned from. */
public enum RewardAggregation {
    /** The first reward, applied as soon as it arrives. */
    EARLIEST,
    /** The sum of the rewards, applied when the window closes. */
    SUM,
    /** The largest reward, applied when the window closes. */
    MAX;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RewardAggregation parse(String s) {
        for (RewardAggregation t : values()) {
            if (t.wireName().equals(s)) {
                return t;
            }
        }
        return null;
    }
}
