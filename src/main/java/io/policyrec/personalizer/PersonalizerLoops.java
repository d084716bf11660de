package io.policyrec.personalizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.config.PolicyrecConfig;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.feedback.FeedbackIntake;
import io.policyrec.feedback.FeedbackParser;
import io.policyrec.policy.EventIds;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import io.policyrec.serving.Problem;
import io.policyrec.serving.ProblemException;
import io.policyrec.serving.Recommender;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Azure Personalizer's loops: each is one policy over action features (the default loop's is
 * {@code policyrec.personalizer.default-loop}; {@code /loops/{name}/...} is the policy named so),
 * with its reward window, default reward and aggregation. Rank is a decision among the request's
 * actions; Reward and Activate are feedback on the same paths as {@code /feedback} (the join,
 * Kafka). A caller's event id is kept under its loop ({@code loop/eventId}, plus the partition
 * with Kafka), so that loops do not share ids and a reward naming it reaches the loop's learner.
 */
@ApplicationScoped
public class PersonalizerLoops {
    /** Personalizer's limit on an event id. */
    static final int MAX_EVENT_ID = 256;

    private final Recommender recommender;
    private final PolicyRegistry registry;
    private final DecisionLog decisionLog;
    private final FeedbackIntake intake;
    private final Clock clock;
    private final String defaultLoop;
    private final RecentEventIds recent;

    public PersonalizerLoops(Recommender recommender, PolicyRegistry registry, DecisionLog decisionLog,
                             FeedbackIntake intake, Clock clock, PolicyrecConfig config) {
        this.recommender = recommender;
        this.registry = registry;
        this.decisionLog = decisionLog;
        this.intake = intake;
        this.clock = clock;
        this.defaultLoop = config.personalizer().defaultLoop();
        this.recent = new RecentEventIds(config.personalizer().rememberedEventIds());
    }

    public RankResponse rank(String loop, RankRequest request) {
        if (request == null) {
            throw ProblemException.invalid("body", "a JSON object with actions is required");
        }
        PolicySnapshot policy = policy(loop);
        String given = request.eventId() == null ? EventIds.next() : eventId(request.eventId(), "eventId");
        String internal = internalId(policy, given);
        if (request.eventId() != null
                && !recent.add(internal, clock.millis(), policy.config().rewardWindow().toMillis())) {
            throw ProblemException.invalid("eventId", "'" + given + "' was ranked already; each Rank needs its own "
                    + "event id");
        }
        Recommender.Ranking ranking;
        try {
            ranking = recommender.rank(policy, request.contextFeatures(), request.actions(),
                    request.excludedActions(), internal, Boolean.TRUE.equals(request.deferActivation()));
        } catch (RuntimeException e) {
            recent.forget(internal);
            throw e;
        }
        return answer(ranking, given);
    }

    /** The drawn action first, then the rest by probability (request order among equals): excluded ones last. */
    private static RankResponse answer(Recommender.Ranking ranking, String eventId) {
        String[] ids = ranking.ids();
        double[] q = ranking.distribution();
        int drawn = ranking.decision().action();
        List<RankResponse.RankedAction> ranked = new ArrayList<>(ids.length);
        ranked.add(new RankResponse.RankedAction(ids[drawn], q[drawn]));
        for (int a = 0; a < ids.length; a++) {
            if (a != drawn) {
                ranked.add(new RankResponse.RankedAction(ids[a], q[a]));
            }
        }
        // A stable sort: request order among equal probabilities.
        ranked.subList(1, ranked.size()).sort(Comparator.comparingDouble(r -> -r.probability()));
        return new RankResponse(ranked, eventId, ids[drawn]);
    }

    /** A reward for an event of the loop; learned from if it comes inside the event's window. */
    public void reward(String loop, String eventId, RewardRequest request) {
        PolicySnapshot policy = policy(loop);
        String given = eventId(eventId, "eventId");
        if (request == null || request.value() == null || !Double.isFinite(request.value())
                || Math.abs(request.value()) > FeedbackParser.MAX_ABS_REWARD) {
            throw ProblemException.invalid("value", "is required: a finite number within +-"
                    + FeedbackParser.MAX_ABS_REWARD);
        }
        if (!intake.accept(internalId(policy, given), request.value(), clock.millis())) {
            throw busy();
        }
    }

    /** Activates a deferred event of the loop: it is learned from once its window closes (or its reward comes). */
    public void activate(String loop, String eventId) {
        PolicySnapshot policy = policy(loop);
        String given = eventId(eventId, "eventId");
        if (!intake.activate(internalId(policy, given), clock.millis())) {
            throw busy();
        }
    }

    public LoopConfiguration configuration(String loop) {
        PolicySnapshot policy = policy(loop);
        return new LoopConfiguration(policy.config().rewardWindow().toString(), policy.config().defaultReward(),
                policy.config().rewardAggregation().wireName(), policy.name(), policy.version());
    }

    private PolicySnapshot policy(String loop) {
        String name = loop == null ? defaultLoop : loop;
        PolicySnapshot policy = registry.get(name);
        if (policy == null) {
            throw ProblemException.notFound("no loop '" + name + "': create it as a policy over action features, "
                    + "PUT /policies/" + name + " {\"actions\": {\"type\": \"features\"}}");
        }
        return policy;
    }

    /** The event id a caller's id is logged and joined under: kept under its loop, routed to its partition. */
    private String internalId(PolicySnapshot policy, String given) {
        return decisionLog.eventIdFor(policy.name(), policy.name() + "/" + given);
    }

    private static String eventId(String id, String field) {
        if (id == null || id.isEmpty() || id.length() > MAX_EVENT_ID) {
            throw ProblemException.invalid(field, "must be 1 to " + MAX_EVENT_ID + " characters");
        }
        return id;
    }

    private static ProblemException busy() {
        return new ProblemException(Problem.of(503, "Busy", "the feedback queue is full; retry"));
    }
}
