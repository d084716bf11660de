package io.policyrec.serving;

import io.policyrec.config.PolicyrecConfig;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Decisions: an action drawn from the policy for a context. */
@Path("/recommend")
@SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
@RequiresClientKey
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class RecommendResource {
    private final Recommender recommender;
    private final PolicyrecConfig config;

    public RecommendResource(Recommender recommender, PolicyrecConfig config) {
        this.recommender = recommender;
        this.config = config;
    }

    // On the event loop: a decision waits for nothing (in-memory snapshot, queue offer), and the
    // hand-off to a worker thread cost more than the decision itself.
    @POST
    @NonBlocking
    @Operation(summary = "Draw an action (or a ranking of k) for one context")
    public RecommendResponse recommend(RecommendRequest request) {
        if (request == null) {
            throw ProblemException.invalid("body", "a JSON object with a context is required");
        }
        return recommender.recommend(request);
    }

    @POST
    @Path("/probabilities")
    @Operation(summary = "The distributions the policy would draw from for these contexts, without deciding "
            + "(nothing is logged or learned)")
    public Recommender.ProbabilitiesResponse probabilities(BatchRecommendRequest request) {
        if (request == null) {
            throw ProblemException.invalid("body", "a JSON object with contexts is required");
        }
        return recommender.probabilities(request, config.http().maxBatch());
    }

    @POST
    @Path("/batch")
    @Operation(summary = "One decision per context, in one round trip")
    public List<RecommendResponse> batch(BatchRecommendRequest request) {
        if (request == null) {
            throw ProblemException.invalid("body", "a JSON object with contexts is required");
        }
        return recommender.recommendBatch(request, config.http().maxBatch());
    }
}
