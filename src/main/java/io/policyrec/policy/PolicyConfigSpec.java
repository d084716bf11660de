package io.policyrec.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A policy config as written by people: the JSON body of {@code PUT /policies/{name}}, the
 * {@code policyrec.policies.<name>.*} properties (read by {@link PolicyProperties}), and the
 * config inside snapshot files. Absent fields take their defaults in {@link #resolve()}, which
 * gives the one validated {@link PolicyConfig}.
 *
 * @param actions an integer K, or an array of distinct string action ids, or
 *                {@code {"type": "features", "bits": 16}} for a policy over action features: each
 *                request brings its candidates, described by named features hashed into 2^bits buckets
 * @param input   what contexts are: absent or {@code {"type": "dense"}} for arrays of
 *                contextDimension numbers; {@code {"type": "features", "bits": 18}} for named
 *                features hashed into 2^bits buckets (no contextDimension then)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyConfigSpec(Integer contextDimension, JsonNode actions, List<Integer> hiddenLayers,
                               Double learningRate, Integer batchSize, RegularizerSpec regularizer,
                               Double minProbability, String rewardWindow, Double defaultReward,
                               String rewardAggregation, Long seed, String baseline, Double importanceWeightCap,
                               InputSpec input) {

    /**
     * The buckets of a policy over named features when its config names none: 2^16, not Vowpal
     * Wabbit's 2^18, while taking a snapshot copies the whole first layer in memory and a publish
     * clones its row references (README, "Named features"; heap per policy in RESULTS.md).
     */
    public static final int DEFAULT_FEATURE_BITS = 16;

    /** What a policy's contexts are. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InputSpec(String type, Integer bits) {
    }

    /** A spec for a dense policy (every field as before named features). */
    public PolicyConfigSpec(Integer contextDimension, JsonNode actions, List<Integer> hiddenLayers,
                            Double learningRate, Integer batchSize, RegularizerSpec regularizer,
                            Double minProbability, String rewardWindow, Double defaultReward,
                            String rewardAggregation, Long seed, String baseline, Double importanceWeightCap) {
        this(contextDimension, actions, hiddenLayers, learningRate, batchSize, regularizer, minProbability,
                rewardWindow, defaultReward, rewardAggregation, seed, baseline, importanceWeightCap, null);
    }

    /** The regularizer part of a config; absent fields take their defaults. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RegularizerSpec(String type, Double lambda, String reference, Double targetEntropy,
                                  Double lambdaStep, Integer previousCount, Integer previousEvery,
                                  Double targetEntropyRatio, Double lambdaMax) {
    }

    /** A resolved config, or what is wrong with the spec. */
    public record Resolution(PolicyConfig config, List<FieldError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** The spec that resolves to exactly this config (every field present). */
    public static PolicyConfigSpec of(PolicyConfig c) {
        JsonNode actions;
        if (c.candidates()) {
            actions = JsonNodeFactory.instance.objectNode().put("type", "features").put("bits", c.actionFeatureBits());
        } else if (c.actions().named()) {
            ArrayNode ids = JsonNodeFactory.instance.arrayNode();
            c.actions().ids().forEach(ids::add);
            actions = ids;
        } else {
            actions = IntNode.valueOf(c.actions().size());
        }
        RegularizerSettings r = c.regularizer();
        return new PolicyConfigSpec(c.hashed() ? null : c.contextDimension(), actions, c.hiddenLayers(),
                c.learningRate(), c.batchSize(),
                new RegularizerSpec(r.type().wireName(), r.lambda(), r.reference().wireName(), r.targetEntropy(),
                        r.lambdaStep(), r.previousCount(), r.previousEvery(), r.targetEntropyRatio(), r.lambdaMax()),
                c.minProbability(), c.rewardWindow().toString(), c.defaultReward(), c.rewardAggregation().wireName(),
                c.seed(), c.baseline().wireName(), c.importanceWeightCap(),
                c.hashed() ? new InputSpec("features", c.featureBits()) : null);
    }

    /**
     * Why {@code reference: previous} is refused for new policies: pushing away from a mixture of
     * earlier policies that starts near uniform rewards determinism. Measured (loadtest/RESULTS.md):
     * js, hellinger, tv and mmd against earlier policies ended with one action and greedy reward
     * 0.000 on Fashion-MNIST in every seed, and below the unregularized agent on Spotify.
     */
    public static final FieldError PREVIOUS_REFUSED = new FieldError("regularizer.reference",
            "'previous' is no longer offered: pushing away from earlier policies collapsed every policy measured "
                    + "(Fashion-MNIST: one action and greedy reward 0.000 in every seed; Spotify: below no "
                    + "regularizer). Use the uniform reference, or leave the regularizer out for the adaptive default");

    /** Resolves a config a person wrote: refuses what is no longer offered. */
    public Resolution resolve() {
        Resolution r = resolve(false);
        if (r.ok() && r.config().regularizer().reference() == ReferenceKind.PREVIOUS) {
            return new Resolution(null, List.of(PREVIOUS_REFUSED));
        }
        return r;
    }

    /**
     * Resolves a config kept in a snapshot: a policy created before an option was withdrawn keeps
     * running as it was created.
     */
    public Resolution resolveStored() {
        return resolve(true);
    }

    private Resolution resolve(boolean stored) {
        List<FieldError> errors = new ArrayList<>();
        int bits = resolveInput(errors);
        int actionBits = candidateBits(errors);
        if (actionBits > 0 && bits == 0) {
            errors.add(new FieldError("input", "a policy over action features reads named features: \"input\": "
                    + "{\"type\": \"features\"}"));
        } else if (contextDimension == null && bits == 0) {
            errors.add(new FieldError("contextDimension", "is required (or \"input\": {\"type\": \"features\"} "
                    + "for named features)"));
        } else if (contextDimension != null && bits > 0) {
            errors.add(new FieldError("contextDimension", "is for dense contexts; a policy over named features has "
                    + "2^bits buckets instead"));
        }
        ActionSet actionSet = actionBits != 0 ? null : resolveActions(errors);
        RegularizerSettings reg = resolveRegularizer(errors, stored, actionBits > 0);
        Duration window = PolicyConfig.DEFAULT_WINDOW;
        if (rewardWindow != null) {
            try {
                window = Duration.parse(rewardWindow);
            } catch (DateTimeParseException e) {
                errors.add(new FieldError("rewardWindow", "must be an ISO-8601 duration such as PT30S"));
            }
        }
        RewardAggregation aggregation = RewardAggregation.EARLIEST;
        if (rewardAggregation != null) {
            aggregation = RewardAggregation.parse(rewardAggregation);
            if (aggregation == null) {
                errors.add(new FieldError("rewardAggregation", "must be one of earliest, sum, max"));
            }
        }
        BaselineKind baselineKind = BaselineKind.MEAN;
        if (baseline != null) {
            baselineKind = BaselineKind.parse(baseline);
            if (baselineKind == null) {
                errors.add(new FieldError("baseline", "must be one of none, mean"));
            }
        }
        if (hiddenLayers != null && hiddenLayers.contains(null)) {
            errors.add(new FieldError("hiddenLayers", "must be a list of layer widths, without nulls"));
        }
        if (!errors.isEmpty()) {
            return new Resolution(null, errors);
        }
        boolean candidates = actionBits > 0;
        PolicyConfig config = new PolicyConfig(bits > 0 ? 1 << bits : contextDimension, actionSet,
                hiddenLayers != null ? hiddenLayers : candidates ? PolicyConfig.DEFAULT_TOWER : PolicyConfig.DEFAULT_HIDDEN,
                orDefault(learningRate, candidates ? PolicyConfig.DEFAULT_CANDIDATE_LEARNING_RATE
                        : PolicyConfig.DEFAULT_LEARNING_RATE),
                batchSize == null ? PolicyConfig.DEFAULT_BATCH_SIZE : batchSize, reg,
                orDefault(minProbability, 0.0), window, orDefault(defaultReward, 0.0), aggregation,
                seed == null ? ThreadLocalRandom.current().nextLong() : seed, baselineKind,
                orDefault(importanceWeightCap, PolicyConfig.DEFAULT_IMPORTANCE_CAP), bits, Math.max(actionBits, 0));
        errors.addAll(config.problems());
        return new Resolution(errors.isEmpty() ? config : null, errors);
    }

    /** 0 for dense contexts, the feature bits for named features, -1 when the input is wrong. */
    private int resolveInput(List<FieldError> errors) {
        if (input == null || input.type() == null || input.type().equals("dense")) {
            if (input != null && input.bits() != null) {
                errors.add(new FieldError("input.bits", "is for \"type\": \"features\""));
            }
            return 0;
        }
        if (!input.type().equals("features")) {
            errors.add(new FieldError("input.type", "must be one of dense, features"));
            return -1;
        }
        int bits = input.bits() == null ? DEFAULT_FEATURE_BITS : input.bits();
        if (bits < PolicyConfig.MIN_FEATURE_BITS || bits > PolicyConfig.MAX_FEATURE_BITS) {
            errors.add(new FieldError("input.bits", "must be between " + PolicyConfig.MIN_FEATURE_BITS + " and "
                    + PolicyConfig.MAX_FEATURE_BITS));
            return -1;
        }
        return bits;
    }

    /** The action feature bits of {@code "actions": {"type": "features"}}: 0 for fixed actions, -1 when wrong. */
    private int candidateBits(List<FieldError> errors) {
        if (actions == null || !actions.isObject()) {
            return 0;
        }
        JsonNode type = actions.get("type");
        if (type == null || !"features".equals(type.asText())) {
            errors.add(new FieldError("actions.type", "must be \"features\" (or give a number of actions, or a list "
                    + "of action ids)"));
            return -1;
        }
        JsonNode b = actions.get("bits");
        if (b == null || b.isNull()) {
            return DEFAULT_FEATURE_BITS;
        }
        if (!b.isIntegralNumber() || !b.canConvertToInt()) {
            errors.add(new FieldError("actions.bits", "must be an integer"));
            return -1;
        }
        if (b.intValue() < PolicyConfig.MIN_FEATURE_BITS || b.intValue() > PolicyConfig.MAX_FEATURE_BITS) {
            errors.add(new FieldError("actions.bits", "must be between " + PolicyConfig.MIN_FEATURE_BITS + " and "
                    + PolicyConfig.MAX_FEATURE_BITS));
            return -1;
        }
        return b.intValue();
    }

    private ActionSet resolveActions(List<FieldError> errors) {
        if (actions == null || actions.isNull()) {
            errors.add(new FieldError("actions", "is required: a number of actions, a list of action ids, or "
                    + "{\"type\": \"features\"} for candidates described by features in each request"));
            return null;
        }
        if (actions.isIntegralNumber() && actions.canConvertToInt()) {
            return ActionSet.ofCount(actions.intValue());
        }
        if (actions.isArray()) {
            List<String> ids = new ArrayList<>();
            for (JsonNode id : actions) {
                if (!id.isTextual()) {
                    errors.add(new FieldError("actions", "action ids must be strings"));
                    return null;
                }
                ids.add(id.textValue());
            }
            return ActionSet.ofIds(ids);
        }
        errors.add(new FieldError("actions", "must be an integer number of actions or a list of string ids"));
        return null;
    }

    /**
     * A snapshot written before lambda had an upper bound has no lambdaMax: it keeps learning as it
     * was created, without one (the largest bound allowed).
     */
    static final double UNBOUNDED_LAMBDA = 1e6;

    /**
     * @param candidates a policy over action features: a regularizer given without a type gets the
     *                   type such a policy defaults to (Jensen-Shannon), not the fixed actions' entropy,
     *                   so that {@code {"targetEntropyRatio": 0.5}} keeps the default's divergence (its
     *                   other fields take the documented defaults, {@code lambdaStep} 0.01 among them).
     *                   A snapshot stores the resolved type, so policies created before keep theirs.
     */
    private RegularizerSettings resolveRegularizer(List<FieldError> errors, boolean stored, boolean candidates) {
        if (regularizer == null) {
            // No regularizer named: the default that needs no tuning, for this kind of policy.
            return candidates ? RegularizerSettings.candidateDefault() : RegularizerSettings.adaptiveDefault();
        }
        RegularizerSettings d = RegularizerSettings.defaults();
        RegularizerType type = candidates ? RegularizerSettings.DEFAULT_CANDIDATE_REGULARIZER : d.type();
        if (regularizer.type() != null) {
            type = RegularizerType.parse(regularizer.type());
            if (type == null) {
                errors.add(new FieldError("regularizer.type", "must be one of none, entropy, kl, js, hellinger, tv, mmd"));
            }
        }
        ReferenceKind reference = d.reference();
        if (regularizer.reference() != null) {
            reference = ReferenceKind.parse(regularizer.reference());
            if (reference == null) {
                errors.add(new FieldError("regularizer.reference", "must be one of uniform, previous"));
            }
        }
        return new RegularizerSettings(type, orDefault(regularizer.lambda(), d.lambda()), reference,
                regularizer.targetEntropy(), orDefault(regularizer.lambdaStep(), d.lambdaStep()),
                regularizer.previousCount() == null ? d.previousCount() : regularizer.previousCount(),
                regularizer.previousEvery() == null ? d.previousEvery() : regularizer.previousEvery(),
                regularizer.targetEntropyRatio(), orDefault(regularizer.lambdaMax(),
                        stored ? UNBOUNDED_LAMBDA : d.lambdaMax()));
    }

    private static double orDefault(Double value, double fallback) {
        return value == null ? fallback : value;
    }
}
