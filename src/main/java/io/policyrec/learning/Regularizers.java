package io.policyrec.learning;

import io.policyrec.policy.RegularizerType;

/** The regularizer for each configured type; null for none. */
public final class Regularizers {
    private Regularizers() {
    }

    public static Regularizer of(RegularizerType type) {
        return switch (type) {
            case NONE -> null;
            case ENTROPY -> new EntropyRegularizer();
            case KL -> new KlRegularizer();
            case JS -> new JensenShannonRegularizer();
            case HELLINGER -> new HellingerRegularizer();
            case TV -> new TotalVariationRegularizer();
            case MMD -> new MmdRegularizer();
        };
    }
}
