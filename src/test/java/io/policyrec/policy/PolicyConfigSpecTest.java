package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What a config means: as a person writes it now, and as a snapshot written before kept it. */
class PolicyConfigSpecTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A config as snapshots stored it before targetEntropyRatio and lambdaMax existed. */
    static final String STORED_BEFORE = """
            {"contextDimension": 4, "actions": 3, "hiddenLayers": [8], "learningRate": 0.001, "batchSize": 10,
             "regularizer": {"type": "entropy", "lambda": 0.1, "reference": "uniform", "targetEntropy": 0.8,
             "lambdaStep": 0.01, "previousCount": 5}, "minProbability": 0.0, "rewardWindow": "PT30S",
             "defaultReward": 0.0, "rewardAggregation": "earliest", "seed": 3, "baseline": "mean",
             "importanceWeightCap": 10.0}""";

    @Test
    void aSnapshotWrittenBeforeKeepsLearningAsItWasCreated() throws Exception {
        PolicyConfigSpec.Resolution stored = JSON.readValue(STORED_BEFORE, PolicyConfigSpec.class).resolveStored();
        assertTrue(stored.ok(), stored.errors().toString());
        RegularizerSettings r = stored.config().regularizer();
        assertEquals(0.8, r.targetEntropy());
        assertNull(r.targetEntropyRatio());
        assertEquals(PolicyConfigSpec.UNBOUNDED_LAMBDA, r.lambdaMax(), "lambda had no upper bound then");
        assertEquals(RegularizerSettings.DEFAULT_PREVIOUS_EVERY, r.previousEvery());
        // Written now, the same config round-trips exactly.
        PolicyConfig again = JSON.readValue(JSON.writeValueAsString(PolicyConfigSpec.of(stored.config())),
                PolicyConfigSpec.class).resolveStored().config();
        assertEquals(stored.config().regularizer(), again.regularizer());
    }

    @Test
    void aPersonWritingTheSameGetsTheBoundedLambda() throws Exception {
        PolicyConfigSpec.Resolution now = JSON.readValue(STORED_BEFORE, PolicyConfigSpec.class).resolve();
        assertEquals(RegularizerSettings.DEFAULT_LAMBDA_MAX, now.config().regularizer().lambdaMax());
    }

    @Test
    void noRegularizerIsTheAdaptiveDefaultAndANamedOneIsFixed() throws Exception {
        PolicyConfig none = JSON.readValue("{\"contextDimension\": 4, \"actions\": 3}", PolicyConfigSpec.class)
                .resolve().config();
        assertEquals(RegularizerSettings.adaptiveDefault(), none.regularizer());
        assertTrue(none.regularizer().adaptive());
        assertEquals(0.8 * Math.log(3), none.regularizer().target(3), 1e-12);
        PolicyConfig named = JSON.readValue("{\"contextDimension\": 4, \"actions\": 3, \"regularizer\": "
                + "{\"type\": \"mmd\", \"lambda\": 1.0}}", PolicyConfigSpec.class).resolve().config();
        assertFalse(named.regularizer().adaptive(), "a named regularizer with a lambda keeps it fixed");
    }

    @Test
    void aPolicyOverActionFeaturesTakesItsDefaultsAndWritesBackToItself() throws Exception {
        PolicyConfig c = JSON.readValue("""
                {"input": {"type": "features", "bits": 10}, "actions": {"type": "features", "bits": 12}}""",
                PolicyConfigSpec.class).resolve().config();
        assertTrue(c.candidates());
        assertNull(c.actions());
        assertEquals(12, c.actionFeatureBits());
        assertEquals(java.util.List.of(32), c.hiddenLayers());
        assertEquals(PolicyConfig.DEFAULT_CANDIDATE_LEARNING_RATE, c.learningRate());
        assertEquals(RegularizerSettings.DEFAULT_CANDIDATE_TARGET_RATIO, c.regularizer().targetEntropyRatio());
        assertEquals(RegularizerType.JS, c.regularizer().type(), "Jensen-Shannon, measured (RegularizerSettings)");
        assertEquals((1 << 10) + 2 * (1 << 12), c.tableRows());
        PolicyConfig again = JSON.readValue(JSON.writeValueAsString(PolicyConfigSpec.of(c)), PolicyConfigSpec.class)
                .resolveStored().config();
        assertEquals(c, again, "the snapshot's config reads back as the same policy");
    }

    @Test
    void aRegularizerWithoutTypeTakesThePolicyKindsDefaultType() throws Exception {
        PolicyConfig candidates = JSON.readValue("""
                {"input": {"type": "features"}, "actions": {"type": "features"},
                 "regularizer": {"targetEntropyRatio": 0.5}}""", PolicyConfigSpec.class).resolve().config();
        assertEquals(RegularizerType.JS, candidates.regularizer().type(),
                "a policy over action features defaults to Jensen-Shannon, with or without a regularizer named");
        assertEquals(0.5, candidates.regularizer().targetEntropyRatio());
        PolicyConfig fixed = JSON.readValue("{\"contextDimension\": 4, \"actions\": 3, \"regularizer\": "
                + "{\"targetEntropyRatio\": 0.5}}", PolicyConfigSpec.class).resolve().config();
        assertEquals(RegularizerType.ENTROPY, fixed.regularizer().type());
        PolicyConfig named = JSON.readValue("""
                {"input": {"type": "features"}, "actions": {"type": "features"},
                 "regularizer": {"type": "entropy", "lambda": 0.05}}""", PolicyConfigSpec.class).resolve().config();
        assertEquals(RegularizerType.ENTROPY, named.regularizer().type(), "a type given is kept");
    }

    @Test
    void previousIsRefusedWhenWrittenButReadFromASnapshot() throws Exception {
        String previous = STORED_BEFORE.replace("\"type\": \"entropy\"", "\"type\": \"js\"")
                .replace("\"reference\": \"uniform\"", "\"reference\": \"previous\"");
        PolicyConfigSpec spec = JSON.readValue(previous, PolicyConfigSpec.class);
        assertEquals(java.util.List.of(PolicyConfigSpec.PREVIOUS_REFUSED), spec.resolve().errors());
        assertTrue(spec.resolveStored().ok(), "a policy created with it before keeps running");
    }
}
