package io.policyrec.personalizer;

import io.policyrec.config.PolicyrecConfig;
import io.policyrec.serving.ProblemException;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The load-test baseline of Rank: the same HTTP stack, body parsing and status as
 * {@code /personalizer/v1.0/rank}, with no policy behind it. Off unless
 * {@code policyrec.http.baseline-endpoint=true}.
 */
@Path("/baseline/personalizer/v1.0/rank")
public class PersonalizerBaseline {
    private static final RankResponse CONSTANT = new RankResponse(List.of(new RankResponse.RankedAction("a", 1.0)),
            "00000000-0000-0000-0000-000000000000", "a");
    private final boolean enabled;

    public PersonalizerBaseline(PolicyrecConfig config) {
        this.enabled = config.http().baselineEndpoint();
    }

    @POST
    @NonBlocking // threaded like Rank, so the ratio compares like with like
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Load-test baseline: parses a Rank body and answers a constant (off by default)")
    public Response rank(RankRequest request) {
        if (!enabled) {
            throw ProblemException.notFound("the baseline endpoint is off (policyrec.http.baseline-endpoint)");
        }
        if (request == null || request.actions() == null) {
            throw ProblemException.invalid("actions", "is required");
        }
        return Response.status(201).entity(CONSTANT).build();
    }
}
