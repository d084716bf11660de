package io.policyrec.serving;

import io.policyrec.config.PolicyrecConfig;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The load-test baseline: the same HTTP stack, body parsing and response writing as /recommend,
 * with no policy behind it. Off unless {@code policyrec.http.baseline-endpoint=true}.
 */
@Path("/baseline/recommend")
public class BaselineResource {
    private static final RecommendResponse CONSTANT = new RecommendResponse("00000000-0000-0000-0000-000000000000",
            "baseline", 0, 0, 1.0, null, null);
    private final boolean enabled;

    public BaselineResource(PolicyrecConfig config) {
        this.enabled = config.http().baselineEndpoint();
    }

    @POST
    @NonBlocking // threaded like /recommend, so the ratio compares like with like
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Load-test baseline: parses a /recommend body and answers a constant (off by default)")
    public RecommendResponse recommend(RecommendRequest request) {
        if (!enabled) {
            throw ProblemException.notFound("the baseline endpoint is off (policyrec.http.baseline-endpoint)");
        }
        if (request == null || (request.context() == null && request.features() == null)) {
            throw ProblemException.invalid("context", "is required (or features)");
        }
        return CONSTANT;
    }
}
