package io.policyrec.serving;

import io.policyrec.policy.PolicyConfigSpec;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The admin API: policies by name. */
@Path("/policies")
@SecurityScheme(securitySchemeName = ApiKeys.OPENAPI_SCHEME, type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER, apiKeyName = ApiKeys.HEADER,
        description = "policyrec.security.admin-key for admin calls; policyrec.security.client-keys (when set) for "
                + "/recommend and /feedback")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final PolicyService policies;

    public PolicyResource(PolicyService policies) {
        this.policies = policies;
    }

    @GET
    @Operation(summary = "All policies with their config, version and number of updates")
    public List<PolicyView> list() {
        return policies.list().stream().map(PolicyView::of).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One policy with its config, version and number of updates")
    public PolicyView get(@PathParam("name") String name) {
        return PolicyView.of(policies.get(name));
    }

    @PUT
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a policy (replacing resets its weights)")
    public Response put(@PathParam("name") String name, PolicyConfigSpec spec) {
        PolicyService.Put put = policies.put(name, spec);
        return Response.status(put.replaced() ? 200 : 201).entity(PolicyView.of(put.policy())).build();
    }

    @DELETE
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Path("/{name}")
    @Operation(summary = "Delete a policy and its snapshots")
    public Response delete(@PathParam("name") String name) {
        policies.delete(name);
        return Response.noContent().build();
    }
}
