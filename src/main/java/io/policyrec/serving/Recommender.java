package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.features.InvalidFeaturesException;
import io.policyrec.features.NamedFeatures;
import io.policyrec.features.RequestCandidates;
import io.policyrec.feedback.DecisionLog;
import io.policyrec.metrics.PolicyMetrics;
import io.policyrec.policy.ActionSampler;
import io.policyrec.policy.ActionSet;
import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import io.policyrec.policy.Draw;
import io.policyrec.policy.PolicyRegistry;
import io.policyrec.policy.PolicySnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * The request path: read the policy's current snapshot, check the request against it, sample,
 * log the decision, answer. No locks, nothing that waits for learning.
 */
@ApplicationScoped
public class Recommender {
    static final String DEFAULT_POLICY = "default";
    /** Personalizer's contextFeatures may be left out: a decision on the actions' features alone. */
    private static final JsonNode NO_FEATURES = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();

    private final PolicyRegistry registry;
    private final DecisionLog decisionLog;
    private final PolicyMetrics metrics;
    private final Clock clock;
    private final CatalogService catalogs;

    public Recommender(PolicyRegistry registry, DecisionLog decisionLog, PolicyMetrics metrics, Clock clock,
                       CatalogService catalogs) {
        this.catalogs = catalogs;
        this.registry = registry;
        this.decisionLog = decisionLog;
        this.metrics = metrics;
        this.clock = clock;
    }

    public RecommendResponse recommend(RecommendRequest request) {
        PolicySnapshot policy = policy(request.policy());
        if (policy.config().candidates()) {
            return recommendAmongCandidates(policy, request);
        }
        if (request.candidates() != null) {
            throw ProblemException.invalid("candidates", "policy '" + policy.name() + "' has fixed actions; "
                    + "candidates are for a policy over action features");
        }
        if (request.excludedActions() != null) {
            throw ProblemException.invalid("excludedActions", "is for a policy over action features; name the "
                    + "allowed actions in eligibleActions");
        }
        boolean hashed = policy.config().hashed();
        refuseOtherInput(policy, hashed ? request.context() != null
                : request.features() != null && !request.features().isNull(), hashed ? "context" : "features");
        Context context = hashed ? features(request.features(), policy, "features")
                : dense(request.context(), policy, "context");
        int[] eligible = eligible(request.eligibleActions(), policy.config().actions());
        int k = k(request.k(), eligible == null ? policy.config().actionCount() : eligible.length);
        return decide(policy, context, eligible, k, Boolean.TRUE.equals(request.explain()));
    }

    public List<RecommendResponse> recommendBatch(BatchRecommendRequest request, int maxBatch) {
        PolicySnapshot policy = fixedActions(policy(request.policy()));
        Context[] contexts = contexts(request, policy, maxBatch);
        int[] eligible = eligible(request.eligibleActions(), policy.config().actions());
        int k = k(request.k(), eligible == null ? policy.config().actionCount() : eligible.length);
        boolean explain = Boolean.TRUE.equals(request.explain());
        List<RecommendResponse> decisions = new ArrayList<>(contexts.length);
        for (Context context : contexts) {
            decisions.add(decide(policy, context, eligible, k, explain));
        }
        return decisions;
    }

    /** The distributions the policy would draw from, without deciding (nothing logged, nothing learned). */
    public ProbabilitiesResponse probabilities(BatchRecommendRequest request, int maxBatch) {
        PolicySnapshot policy = fixedActions(policy(request.policy()));
        Context[] contexts = contexts(request, policy, maxBatch);
        if (request.k() != null || request.explain() != null) {
            throw ProblemException.invalid(request.k() != null ? "k" : "explain", "is not used here");
        }
        int[] eligible = eligible(request.eligibleActions(), policy.config().actions());
        double[][] out = new double[contexts.length][];
        for (int i = 0; i < contexts.length; i++) {
            out[i] = policy.distribution(contexts[i], null, eligible);
        }
        return new ProbabilitiesResponse(policy.name(), policy.version(), out);
    }

    /** Distributions in action order, one per context. */
    public record ProbabilitiesResponse(String policy, long policyVersion, double[][] probabilities) {
    }

    private RecommendResponse decide(PolicySnapshot policy, Context context, int[] eligible, int k, boolean explain) {
        return decide(policy, context, null, null, eligible, k, explain);
    }

    /** A decision of a policy over action features, among the candidates the request brings. */
    private RecommendResponse recommendAmongCandidates(PolicySnapshot policy, RecommendRequest request) {
        if (request.context() != null) {
            throw ProblemException.invalid("context", "policy '" + policy.name() + "' reads named features "
                    + "(\"features\") and the candidates' features (\"candidates\")");
        }
        Offer offer = offer(policy, request.features(), "features", request.candidates(), "candidates",
                request.eligibleActions(), request.excludedActions());
        int k = k(request.k(), offer.available());
        return decide(policy, offer.context(), offer.read().candidates(), offer.read().ids(), offer.eligible(), k,
                Boolean.TRUE.equals(request.explain()));
    }

    /**
     * Personalizer's Rank: one decision among the actions the request brings, under the event id
     * given (the caller's, made fit for the decision log), deferred or not. Errors name the
     * caller's fields (contextFeatures, actions, excludedActions).
     *
     * @param features null for no context features
     */
    public Ranking rank(PolicySnapshot policy, JsonNode features, JsonNode actions, List<JsonNode> excluded,
                        String eventId, boolean deferred) {
        if (!policy.config().candidates()) {
            throw ProblemException.invalid("policy", "'" + policy.name() + "' has fixed actions; a Personalizer loop "
                    + "needs a policy over action features (\"actions\": {\"type\": \"features\"})");
        }
        if (actions == null || actions.isNull()) {
            throw ProblemException.invalid("actions", "is required: a list of {\"id\", \"features\"}");
        }
        Offer offer = offer(policy, features == null || features.isNull() ? NO_FEATURES : features, "contextFeatures", actions,
                "actions", null, excluded);
        Made made = make(policy, offer.context(), offer.read().candidates(), offer.read().ids(), offer.eligible(), 1,
                eventId, deferred);
        return new Ranking(offer.read().ids(), made.distribution(), made.decision());
    }

    /** A decision among candidates as made: the candidates' ids, the distribution drawn from, the decision. */
    public record Ranking(String[] ids, double[] distribution, Decision decision) {
    }

    /** What a request offers a policy over action features: its context, candidates and those eligible. */
    private record Offer(Context context, RequestCandidates read, int[] eligible) {
        int available() {
            return eligible == null ? read.ids().length : eligible.length;
        }
    }

    private Offer offer(PolicySnapshot policy, JsonNode features, String featuresField, JsonNode candidatesJson,
                        String candidatesField, List<JsonNode> allowed, List<JsonNode> excluded) {
        Context context = features(features, policy, featuresField);
        RequestCandidates candidates;
        try {
            candidates = RequestCandidates.read(candidatesJson, candidatesField, policy.config().candidateLayout(),
                    NamedFeatures.DEFAULT_LIMITS, catalogs.catalog(policy));
        } catch (InvalidFeaturesException e) {
            throw ProblemException.invalid(e.field(), e.reason());
        }
        int[] eligible = eligibleAmong(allowed, excluded, candidates);
        Offer offer = new Offer(context, candidates, eligible);
        if (policy.config().minProbability() * offer.available() > 1.0 + 1e-12) {
            throw ProblemException.invalid(candidatesField, offer.available() + " eligible candidates with "
                    + "minProbability " + policy.config().minProbability() + " would need more than probability 1");
        }
        return offer;
    }

    /** @param ids the candidates' ids, or null for fixed actions (named by the policy's action set) */
    private RecommendResponse decide(PolicySnapshot policy, Context context, Candidate[] candidates, String[] ids,
                                     int[] eligible, int k, boolean explain) {
        IntFunction<Object> id = ids != null ? a -> ids[a] : policy.config().actions()::id;
        Made made = make(policy, context, candidates, ids, eligible, k, decisionLog.newEventId(policy.name()), false);
        Decision decision = made.decision();
        double[] q = made.distribution();
        List<RecommendResponse.ActionProbability> ranking = null;
        if (k > 1) {
            ranking = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                ranking.add(new RecommendResponse.ActionProbability(id.apply(decision.actions()[i]),
                        decision.probabilities()[i]));
            }
        }
        List<RecommendResponse.ActionProbability> all = null;
        if (explain) {
            all = new ArrayList<>(q.length);
            for (int a = 0; a < q.length; a++) {
                all.add(new RecommendResponse.ActionProbability(id.apply(a), q[a]));
            }
        }
        return new RecommendResponse(decision.eventId(), policy.name(), policy.version(), id.apply(decision.action()),
                decision.probability(), ranking, all);
    }

    private record Made(Decision decision, double[] distribution) {
    }

    /** Draws, logs and counts one decision. */
    private Made make(PolicySnapshot policy, Context context, Candidate[] candidates, String[] ids, int[] eligible,
                      int k, String eventId, boolean deferred) {
        double[] q = policy.distribution(context, candidates, eligible);
        Draw draw = ActionSampler.draw(q, eligible, k, ThreadLocalRandom.current());
        long now = clock.millis();
        Decision decision = new Decision(eventId, policy.name(), policy.incarnation(), policy.version(), now, context,
                eligible, draw.actions(), draw.probabilities(), candidates, deferred);
        decisionLog.record(decision);
        if (candidates == null) {
            metrics.decided(policy, q, draw.first(), now);
        } else {
            metrics.decidedAmong(policy, q, ids[draw.first()], now);
        }
        return new Made(decision, q);
    }

    /** Batches and distributions are offered for policies with fixed actions only, so far. */
    private static PolicySnapshot fixedActions(PolicySnapshot policy) {
        if (policy.config().candidates()) {
            throw ProblemException.invalid("policy", "'" + policy.name() + "' is a policy over action features: "
                    + "ask POST /recommend with the candidates (batches are not offered for it yet)");
        }
        return policy;
    }

    /**
     * The eligible candidates, sorted and distinct, from the ids allowed (eligibleActions) and the
     * ids refused (excludedActions); null when every candidate is eligible. Unknown ids are errors
     * in eligibleActions (a caller's mistake) and ignored in excludedActions (a caller may exclude
     * what it did not offer this time, as Personalizer's excludedActions allows).
     */
    static int[] eligibleAmong(List<JsonNode> allowed, List<JsonNode> excluded, RequestCandidates candidates) {
        if (allowed == null && excluded == null) {
            return null; // the usual request: every candidate, nothing to build
        }
        int n = candidates.ids().length;
        boolean[] in = new boolean[n];
        if (allowed == null) {
            java.util.Arrays.fill(in, true);
        } else {
            if (allowed.isEmpty()) {
                throw ProblemException.invalid("eligibleActions", "must not be empty; leave it out to allow every "
                        + "candidate");
            }
            for (int i = 0; i < allowed.size(); i++) {
                JsonNode id = allowed.get(i);
                int a = id != null && id.isTextual() ? candidates.indexOf(id.textValue()) : -1;
                if (a < 0) {
                    throw ProblemException.invalid("eligibleActions[" + i + "]", "unknown candidate " + id);
                }
                in[a] = true;
            }
        }
        if (excluded != null) {
            for (int i = 0; i < excluded.size(); i++) {
                JsonNode id = excluded.get(i);
                if (id == null || !id.isTextual()) {
                    throw ProblemException.invalid("excludedActions[" + i + "]", "must be a candidate id (a string)");
                }
                int a = candidates.indexOf(id.textValue());
                if (a >= 0) {
                    in[a] = false;
                }
            }
        }
        int count = 0;
        for (boolean b : in) {
            count += b ? 1 : 0;
        }
        if (count == 0) {
            throw ProblemException.invalid(excluded != null ? "excludedActions" : "eligibleActions",
                    "leaves no candidate to choose");
        }
        if (count == n) {
            return null;
        }
        int[] eligible = new int[count];
        int j = 0;
        for (int a = 0; a < n; a++) {
            if (in[a]) {
                eligible[j++] = a;
            }
        }
        return eligible;
    }

    private PolicySnapshot policy(String name) {
        String policyName = name == null ? DEFAULT_POLICY : name;
        PolicySnapshot policy = registry.get(policyName);
        if (policy == null) {
            throw ProblemException.notFound("no policy named '" + policyName + "'");
        }
        return policy;
    }

    /** The batch's contexts, read as the policy reads them: dense arrays or named features. */
    private static Context[] contexts(BatchRecommendRequest request, PolicySnapshot policy, int maxBatch) {
        boolean hashed = policy.config().hashed();
        String field = hashed ? "features" : "contexts";
        int n = hashed ? (request.features() == null ? 0 : request.features().size())
                : (request.contexts() == null ? 0 : request.contexts().length);
        refuseOtherInput(policy, hashed ? request.contexts() != null : request.features() != null,
                hashed ? "contexts" : "features");
        if (n == 0) {
            throw ProblemException.invalid(field, "must be a non-empty array of contexts");
        }
        if (n > maxBatch) {
            throw ProblemException.invalid(field, "at most " + maxBatch + " contexts per request");
        }
        Context[] contexts = new Context[n];
        for (int i = 0; i < n; i++) {
            contexts[i] = hashed ? features(request.features().get(i), policy, "features[" + i + "]")
                    : dense(request.contexts()[i], policy, "contexts[" + i + "]");
        }
        return contexts;
    }

    /** A 400 naming {@code field} when the request sent the kind of context this policy does not read. */
    private static void refuseOtherInput(PolicySnapshot policy, boolean given, String field) {
        if (given) {
            throw ProblemException.invalid(field, "policy '" + policy.name() + "' reads " + (policy.config().hashed()
                    ? "named features (\"features\")" : "dense contexts of " + policy.config().contextDimension()
                    + " numbers (\"context\", or \"contexts\" in a batch)"));
        }
    }

    /** A hashed-features policy's context. */
    private static Context features(JsonNode json, PolicySnapshot policy, String field) {
        try {
            return NamedFeatures.hash(json, field, policy.config().featureBits(), NamedFeatures.DEFAULT_LIMITS);
        } catch (InvalidFeaturesException e) {
            throw ProblemException.invalid(e.field(), e.reason());
        }
    }

    private static Context dense(float[] context, PolicySnapshot policy, String field) {
        checkContext(context, policy, field);
        return Context.dense(context);
    }

    private static void checkContext(float[] context, PolicySnapshot policy, String field) {
        int dimension = policy.config().contextDimension();
        if (context == null) {
            throw ProblemException.invalid(field, "is required: an array of " + dimension + " numbers");
        }
        if (context.length != dimension) {
            throw ProblemException.invalid(field, "has " + context.length + " values; policy '" + policy.name()
                    + "' expects " + dimension);
        }
        for (int i = 0; i < context.length; i++) {
            if (!Float.isFinite(context[i])) {
                throw ProblemException.invalid(field + "[" + i + "]", "must be a finite number, not " + context[i]);
            }
        }
    }

    /** The eligible action indices, sorted and distinct; null when every action is eligible. */
    static int[] eligible(List<JsonNode> ids, ActionSet actions) {
        if (ids == null) {
            return null;
        }
        if (ids.isEmpty()) {
            throw ProblemException.invalid("eligibleActions", "must not be empty; leave it out to allow every action");
        }
        boolean[] seen = new boolean[actions.size()];
        int count = 0;
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            int index = -1;
            if (actions.named() && id != null && id.isTextual()) {
                index = actions.indexOf(id.textValue());
            } else if (!actions.named() && id != null && id.isIntegralNumber() && id.canConvertToInt()) {
                index = actions.indexOf(id.intValue());
            }
            if (index < 0) {
                throw ProblemException.invalid("eligibleActions[" + i + "]", "unknown action " + id
                        + (actions.named() ? "; actions are string ids" : "; actions are 0 to " + (actions.size() - 1)));
            }
            if (!seen[index]) {
                seen[index] = true;
                count++;
            }
        }
        if (count == actions.size()) {
            return null;
        }
        int[] eligible = new int[count];
        int j = 0;
        for (int a = 0; a < seen.length; a++) {
            if (seen[a]) {
                eligible[j++] = a;
            }
        }
        return eligible;
    }

    private static int k(Integer k, int available) {
        if (k == null) {
            return 1;
        }
        if (k < 1 || k > available) {
            throw ProblemException.invalid("k", "must be between 1 and the number of eligible actions (" + available
                    + ")");
        }
        return k;
    }
}
