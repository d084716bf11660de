package io.policyrec.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.policyrec.policy.ActionSet;
import io.policyrec.policy.BaselineKind;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.ReferenceKind;
import io.policyrec.policy.RegularizerSettings;
import io.policyrec.policy.RegularizerType;
import io.policyrec.policy.RewardAggregation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default regularizer (entropy with lambda adapted towards a share of log K) on the paper's
 * Spotify problem (50 tracks): it reaches its target and holds it without lambda swinging, keeps
 * every track in use, more than no regularizer, and recovers after the preferences change, where no
 * regularizer does not.
 */
class AdaptiveRegularizerTest {
    static SpotifyBandit spotify;

    @BeforeAll
    static void load() throws Exception {
        spotify = SpotifyBandit.load();
    }

    static PolicyConfig config(RegularizerSettings regularizer, long seed) {
        return new PolicyConfig(spotify.contextDimension(), ActionSet.ofCount(spotify.actionCount()), List.of(32, 32),
                PolicyConfig.DEFAULT_LEARNING_RATE, 100, regularizer, 0.0, Duration.ofSeconds(30), 0.0,
                RewardAggregation.EARLIEST, seed, BaselineKind.MEAN, PolicyConfig.DEFAULT_IMPORTANCE_CAP);
    }

    static RegularizerSettings none() {
        return new RegularizerSettings(RegularizerType.NONE, 0, ReferenceKind.UNIFORM, null, 0.01, 5);
    }

    @Test
    void lambdaBringsTheEntropyToItsTargetAndHoldsItThere() {
        RegularizerSettings adaptive = RegularizerSettings.adaptiveDefault();
        double target = adaptive.target(spotify.actionCount());
        List<Evaluation> run = Experiment.run(spotify, config(adaptive, 3), 1500, 25, 3, null);
        // The second half of the run, evaluated every 25 updates on the 10,000 held-out contexts.
        List<Evaluation> late = run.subList(run.size() / 2, run.size());
        double mean = late.stream().mapToDouble(Evaluation::meanEntropy).average().orElseThrow();
        double spread = Math.sqrt(late.stream().mapToDouble(e -> Math.pow(e.meanEntropy() - mean, 2)).average()
                .orElseThrow());
        assertEquals(target, mean, 0.1, "the entropy settles at its target");
        assertTrue(spread < 0.15, "the entropy does not swing (sd " + spread + " nats)");
        for (Evaluation e : late) {
            assertTrue(e.lambda() < adaptive.lambdaMax(), "lambda stays below its bound: " + e);
        }
        assertTrue(late.stream().mapToDouble(Evaluation::lambda).average().orElseThrow() > 0,
                "lambda is doing the work");
        Evaluation plain = last(Experiment.run(spotify, config(none(), 3), 1500, 1500, 3, null));
        Evaluation end = last(run);
        assertEquals(spotify.actionCount(), end.actionsUsed(), "every track stays in use (drawn for at least "
                + Evaluation.IN_USE_SHARE + " of the contexts)");
        assertTrue(end.actionsUsed() > plain.actionsUsed(), "more tracks in use than without a regularizer: "
                + end.actionsUsed() + " vs " + plain.actionsUsed());
    }

    @Test
    void theDefaultRecoversAfterPreferencesChangeAndNoRegularizerDoesNot() {
        long driftAt = 100_000;
        DriftOutcome adaptive = DriftOutcome.of(Experiment.run(new DriftingEnvironment(spotify, driftAt, 5),
                config(RegularizerSettings.adaptiveDefault(), 5), 2000, 50, 5, null), driftAt);
        DriftOutcome plain = DriftOutcome.of(Experiment.run(new DriftingEnvironment(spotify, driftAt, 5),
                config(none(), 5), 2000, 50, 5, null), driftAt);
        String both = "\ndefault " + adaptive + "\nnone    " + plain;
        // The precondition of "recovers": a drop well past the recovery tolerance. Its size follows
        // the BLAS kernels of the CPU (seed 5: 0.947 -> 0.792 on an Intel Xeon, more than 0.2 on
        // the AMD EPYC the figures were first taken on), so the bound is not tuned to one of them.
        assertTrue(adaptive.rewardJustAfter() < adaptive.rewardBefore() - 0.1, "the drift hurts at first" + both);
        assertTrue(adaptive.recovered() && adaptive.recoveryInteractions() <= driftAt,
                "the default is back within " + DriftOutcome.TOLERANCE + " of its reward within " + driftAt
                        + " interactions" + both);
        assertTrue(!plain.recovered() || plain.recoveryInteractions() > adaptive.recoveryInteractions(),
                "no regularizer recovers later, if at all" + both);
    }

    static Evaluation last(List<Evaluation> run) {
        return run.get(run.size() - 1);
    }
}
