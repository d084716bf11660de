package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.policy.Catalog;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** The admin API of a policy's catalog: the actions described once, by id, that requests may name. */
@Path("/policies/{name}/actions")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {
    private final CatalogService catalogs;

    public CatalogResource(CatalogService catalogs) {
        this.catalogs = catalogs;
    }

    /** The catalog: its version and its actions with their features. */
    public record CatalogView(long version, List<Map<String, Object>> actions) {
        static CatalogView of(Catalog c) {
            return new CatalogView(c.version(), c.ids().stream()
                    .map(id -> Map.<String, Object>of("id", id, "features", c.features().get(id))).toList());
        }
    }

    @GET
    @Operation(summary = "The policy's catalog: its version and its actions with their features")
    public CatalogView list(@PathParam("name") String name) {
        return CatalogView.of(catalogs.catalog(name));
    }

    @PUT
    @Path("/{id}")
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add or replace an action, {\"features\": {...}}; the policy learns on, no reset")
    public Response put(@PathParam("name") String name, @PathParam("id") String id, JsonNode body) {
        boolean added = catalogs.put(name, id, body);
        return Response.status(added ? 201 : 200).entity(CatalogView.of(catalogs.catalog(name))).build();
    }

    @POST
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add or replace many actions, [{\"id\", \"features\"}, ...]")
    public Map<String, Object> putAll(@PathParam("name") String name, JsonNode items) {
        long version = catalogs.putAll(name, items);
        return Map.of("version", version, "size", catalogs.catalog(name).size());
    }

    @DELETE
    @Path("/{id}")
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Operation(summary = "Remove an action from the catalog")
    public Response delete(@PathParam("name") String name, @PathParam("id") String id) {
        if (!catalogs.remove(name, id)) {
            throw ProblemException.notFound("no action '" + id + "' in the catalog of '" + name + "'");
        }
        return Response.noContent().build();
    }
}
