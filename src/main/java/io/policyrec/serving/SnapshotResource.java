package io.policyrec.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.policyrec.snapshot.SnapshotInfo;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Versions of a policy: list, download, import, roll back. */
@Path("/policies/{name}")
public class SnapshotResource {
    private final PolicyService policies;

    public SnapshotResource(PolicyService policies) {
        this.policies = policies;
    }

    /** One retained version as the list shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Version(long version, String savedAt, long updates, Double meanEntropy) {
        static Version of(SnapshotInfo i) {
            return new Version(i.version(), Instant.ofEpochMilli(i.savedAt()).toString(), i.updates(),
                    Double.isFinite(i.meanEntropy()) ? i.meanEntropy() : null);
        }
    }

    /** Body of a rollback. */
    public record Rollback(Long version) {
    }

    @GET
    @Path("/snapshots")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The retained snapshots of a policy, newest first")
    public List<Version> list(@PathParam("name") String name) {
        return policies.snapshots(name).stream().map(Version::of).toList();
    }

    @GET
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Path("/snapshots/{version}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Download one snapshot (binary) to import it elsewhere")
    public Response download(@PathParam("name") String name, @PathParam("version") String version) {
        byte[] bytes = policies.download(name, parseVersion(version));
        return Response.ok(bytes, MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + name + "-" + version + ".snap\"").build();
    }

    @PUT
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Path("/snapshots")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import a downloaded snapshot as this policy (creates or replaces it)")
    public Response importSnapshot(@PathParam("name") String name, byte[] body) {
        if (body == null || body.length == 0) {
            throw ProblemException.invalid("body", "a snapshot downloaded from GET /policies/{name}/snapshots/{v}");
        }
        PolicyService.Put put = policies.importSnapshot(name, body);
        return Response.status(put.replaced() ? 200 : 201).entity(PolicyView.of(put.policy())).build();
    }

    @POST
    @SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
    @RequiresAdminKey
    @Path("/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Serve and learn from a retained version again; later versions are dropped")
    public PolicyView rollback(@PathParam("name") String name, Rollback body) {
        if (body == null || body.version() == null || body.version() < 0) {
            throw ProblemException.invalid("version", "is required: a retained version of the policy");
        }
        return PolicyView.of(policies.rollback(name, body.version()));
    }

    static long parseVersion(String version) {
        try {
            long v = Long.parseLong(version);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ProblemException.invalid("version", "must be a non-negative integer, not '" + version + "'");
    }
}
