package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.config.PolicyrecConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A policy config written as properties is the same config as written in JSON, field for field. */
class PolicyPropertiesTest {
    static final Map<String, String> EVERY_FIELD = Map.ofEntries(
            Map.entry("context-dimension", "7"), Map.entry("actions", "a, b,c"), Map.entry("hidden-layers", "16,8"),
            Map.entry("learning-rate", "0.01"), Map.entry("batch-size", "20"),
            Map.entry("regularizer.type", "js"), Map.entry("regularizer.lambda", "0.5"),
            Map.entry("regularizer.reference", "uniform"), Map.entry("regularizer.target-entropy", "0.9"),
            Map.entry("regularizer.lambda-step", "0.02"), Map.entry("regularizer.previous-count", "4"),
            Map.entry("regularizer.previous-every", "50"), Map.entry("min-probability", "0.01"),
            Map.entry("reward-window", "PT1M"), Map.entry("default-reward", "-0.5"),
            Map.entry("reward-aggregation", "sum"), Map.entry("seed", "42"), Map.entry("baseline", "none"),
            Map.entry("importance-weight-cap", "5"), Map.entry("regularizer.target-entropy-ratio", "0.4"),
            Map.entry("regularizer.lambda-max", "3"), Map.entry("input.type", "dense"));

    static final String SAME_AS_JSON = """
            {"contextDimension": 7, "actions": ["a", "b", "c"], "hiddenLayers": [16, 8], "learningRate": 0.01,
             "batchSize": 20, "regularizer": {"type": "js", "lambda": 0.5, "reference": "uniform",
             "targetEntropy": 0.9, "lambdaStep": 0.02, "previousCount": 4, "previousEvery": 50,
             "targetEntropyRatio": 0.4, "lambdaMax": 3},
             "minProbability": 0.01, "rewardWindow": "PT1M", "defaultReward": -0.5, "rewardAggregation": "sum",
             "seed": 42, "baseline": "none", "importanceWeightCap": 5, "input": {"type": "dense"}}""";

    @Test
    void aPolicyOverNamedFeaturesCanBeConfiguredAsProperties() {
        PolicyConfigSpec.Resolution r = PolicyProperties.toSpec(Map.of("input.type", "features", "input.bits", "12",
                "actions", "3")).resolve();
        assertTrue(r.ok(), r.errors().toString());
        assertEquals(12, r.config().featureBits());
        assertEquals(1 << 12, r.config().contextDimension());
    }

    @Test
    void everyFieldOfTheJsonConfigCanBeSetAsAProperty() throws Exception {
        PolicyConfigSpec fromProperties = PolicyProperties.toSpec(EVERY_FIELD);
        for (RecordComponent c : PolicyConfigSpec.class.getRecordComponents()) {
            assertNotNull(c.getAccessor().invoke(fromProperties), c.getName() + " is settable by a property");
        }
        for (RecordComponent c : PolicyConfigSpec.RegularizerSpec.class.getRecordComponents()) {
            assertNotNull(c.getAccessor().invoke(fromProperties.regularizer()),
                    "regularizer." + c.getName() + " is settable by a property");
        }
        PolicyConfigSpec json = new ObjectMapper().readValue(SAME_AS_JSON, PolicyConfigSpec.class);
        assertEquals(json, fromProperties, "the same spec as the JSON config");
        // targetEntropy and targetEntropyRatio exclude each other: resolve with one of them.
        Map<String, String> valid = new HashMap<>(EVERY_FIELD);
        valid.remove("regularizer.target-entropy-ratio");
        String one = SAME_AS_JSON.replaceAll(",\\s*\"targetEntropyRatio\": 0.4", "");
        PolicyConfigSpec.Resolution fromJson = new ObjectMapper().readValue(one, PolicyConfigSpec.class).resolve();
        PolicyConfigSpec.Resolution resolved = PolicyProperties.toSpec(valid).resolve();
        assertTrue(fromJson.ok(), fromJson.errors().toString());
        assertTrue(resolved.ok(), resolved.errors().toString());
        assertEquals(PolicyConfigSpec.of(fromJson.config()), PolicyConfigSpec.of(resolved.config()));
        assertEquals(50, resolved.config().regularizer().previousEvery());
        assertEquals(3.0, resolved.config().regularizer().lambdaMax());
    }

    @Test
    void aMisspelledKeyIsRefusedByItsName() {
        PolicyProperties.Invalid e = assertThrows(PolicyProperties.Invalid.class, () -> PolicyProperties.toSpec(
                Map.of("context-dimension", "3", "actions", "2", "regularizer.lamda", "0.1")));
        assertTrue(e.getMessage().contains("regularizer.lamda"), e.getMessage());
    }

    @Test
    void numbersAreTakenExactlyOrRefused() {
        PolicyConfigSpec spec = PolicyProperties.toSpec(Map.of("context-dimension", "3", "actions", "2",
                "seed", "-8690436412412368617"));
        assertEquals(-8690436412412368617L, spec.seed(), "a 19-digit seed is kept to the last digit");
        assertThrows(PolicyProperties.Invalid.class, () -> PolicyProperties.toSpec(Map.of("context-dimension", "3",
                "actions", "2", "batch-size", "20.5")), "a fractional batch size is refused, not truncated");
    }

    @Test
    void aCountOfActionsAndTheDefaults() {
        PolicyConfig c = PolicyProperties.toSpec(Map.of("context-dimension", "784", "actions", "10")).resolve()
                .config();
        assertEquals(10, c.actionCount());
        assertEquals(RegularizerSettings.adaptiveDefault(), c.regularizer(), "no regularizer named: the adaptive default");
    }

    @Test
    void theServiceConfigPassesNestedKeysThrough() {
        Map<String, String> source = new HashMap<>();
        EVERY_FIELD.forEach((k, v) -> source.put("policyrec.policies.shop." + k, v));
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(PolicyrecConfig.class)
                .withSources(new PropertiesConfigSource(source, "test", 500)).build();
        Map<String, String> shop = config.getConfigMapping(PolicyrecConfig.class).policies().get("shop");
        assertEquals(EVERY_FIELD, shop);
    }
}
