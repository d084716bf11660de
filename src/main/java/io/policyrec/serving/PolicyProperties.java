package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.policyrec.config.PolicyrecConfig;
import io.policyrec.policy.PolicyConfigSpec;

/** Reads a {@code policyrec.policies.<name>.*} block as the same spec the REST API takes. */
final class PolicyProperties {
    private PolicyProperties() {
    }

    static PolicyConfigSpec toSpec(PolicyrecConfig.PolicyProperties p) {
        JsonNode actions;
        String raw = p.actions().trim();
        if (raw.matches("\\d+")) {
            actions = IntNode.valueOf(Integer.parseInt(raw));
        } else {
            ArrayNode ids = JsonNodeFactory.instance.arrayNode();
            for (String id : raw.split(",")) {
                ids.add(id.trim());
            }
            actions = ids;
        }
        var r = p.regularizer();
        return new PolicyConfigSpec(p.contextDimension(), actions, p.hiddenLayers().orElse(null),
                p.learningRate().isPresent() ? p.learningRate().getAsDouble() : null, p.batchSize().orElse(null),
                new PolicyConfigSpec.RegularizerSpec(r.type().orElse(null),
                        r.lambda().isPresent() ? r.lambda().getAsDouble() : null, r.reference().orElse(null),
                        r.targetEntropy().isPresent() ? r.targetEntropy().getAsDouble() : null, null, null),
                p.minProbability().isPresent() ? p.minProbability().getAsDouble() : null, p.rewardWindow().orElse(null),
                p.defaultReward().isPresent() ? p.defaultReward().getAsDouble() : null,
                p.rewardAggregation().orElse(null), p.seed().isPresent() ? p.seed().getAsLong() : null,
                p.baseline().orElse(null), null);
    }
}
