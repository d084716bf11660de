package io.policyrec.personalizer;

import io.policyrec.serving.RequiresClientKey;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Azure Personalizer's v1.0 API, as its clients call it: {@code {endpoint}/personalizer/v1.0/...}
 * for the default loop, {@code {endpoint}/loops/{loop}/personalizer/v1.0/...} for another (give
 * the client {@code http://host/loops/news} as its endpoint). The statuses are the ones its
 * clients accept as success, and only those: 201 for Rank, 204 for Reward and Activate.
 */
@Path("/")
@Tag(name = "Azure Personalizer v1.0")
@PersonalizerApi
@RequiresClientKey
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PersonalizerResource {
    private static final String API = "personalizer/v1.0";
    private static final String LOOP = "loops/{loop}/" + API;

    private final PersonalizerLoops loops;

    public PersonalizerResource(PersonalizerLoops loops) {
        this.loops = loops;
    }

    // On the event loop, as /recommend: a decision waits for nothing.
    @POST
    @Path(API + "/rank")
    @NonBlocking
    @Operation(summary = "Rank the actions for a context (the default loop)")
    public Response rank(RankRequest request) {
        return Response.status(201).entity(loops.rank(null, request)).build();
    }

    @POST
    @Path(LOOP + "/rank")
    @NonBlocking
    @Operation(summary = "Rank the actions for a context (a named loop)")
    public Response rank(@PathParam("loop") String loop, RankRequest request) {
        return Response.status(201).entity(loops.rank(loop, request)).build();
    }

    @POST
    @Path(API + "/events/{eventId}/reward")
    @Operation(summary = "Reward an event (the default loop)")
    public Response reward(@PathParam("eventId") String eventId, RewardRequest request) {
        loops.reward(null, eventId, request);
        return Response.noContent().build();
    }

    @POST
    @Path(LOOP + "/events/{eventId}/reward")
    @Operation(summary = "Reward an event (a named loop)")
    public Response reward(@PathParam("loop") String loop, @PathParam("eventId") String eventId,
                           RewardRequest request) {
        loops.reward(loop, eventId, request);
        return Response.noContent().build();
    }

    @POST
    @Path(API + "/events/{eventId}/activate")
    @Operation(summary = "Activate a deferred event (the default loop)")
    public Response activate(@PathParam("eventId") String eventId) {
        loops.activate(null, eventId);
        return Response.noContent().build();
    }

    @POST
    @Path(LOOP + "/events/{eventId}/activate")
    @Operation(summary = "Activate a deferred event (a named loop)")
    public Response activate(@PathParam("loop") String loop, @PathParam("eventId") String eventId) {
        loops.activate(loop, eventId);
        return Response.noContent().build();
    }

    @GET
    @Path(API + "/configurations/service")
    @Operation(summary = "The loop's settings in Personalizer's names (the default loop)")
    public LoopConfiguration configuration() {
        return loops.configuration(null);
    }

    @GET
    @Path(LOOP + "/configurations/service")
    @Operation(summary = "The loop's settings in Personalizer's names (a named loop)")
    public LoopConfiguration configuration(@PathParam("loop") String loop) {
        return loops.configuration(loop);
    }
}
