package io.policyrec.serving;

import io.policyrec.config.PolicyrecConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * API keys in the X-API-Key header: the admin key for what changes policies (and for exporting
 * one), client keys for decisions and feedback when configured. Keys are compared in constant
 * time and never logged. 401 without a key, 403 with a wrong one, both problem+json.
 */
@ApplicationScoped
public class ApiKeys {
    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    static final String HEADER = "X-API-Key";

    private final Optional<byte[]> adminKey;
    private final List<byte[]> clientKeys;
    private final boolean requireAdminKey;

    public ApiKeys(PolicyrecConfig config) {
        this.adminKey = config.security().adminKey().filter(k -> !k.isBlank()).map(ApiKeys::bytes);
        this.clientKeys = config.security().clientKeys().orElse(List.of()).stream().filter(k -> !k.isBlank())
                .map(ApiKeys::bytes).toList();
        this.requireAdminKey = config.security().requireAdminKey();
    }

    void check(@Observes StartupEvent event) {
        if (adminKey.isEmpty()) {
            if (requireAdminKey) {
                throw new IllegalStateException("policyrec.security.admin-key is not set: the production profile "
                        + "refuses to start without one");
            }
            LOG.warn("No admin key (policyrec.security.admin-key): the admin API is OPEN to anyone who can reach "
                    + "this port. Fine for a laptop; set a key anywhere else.");
        }
        if (clientKeys.isEmpty()) {
            LOG.info("No client keys (policyrec.security.client-keys): /recommend and /feedback are open");
        }
    }

    @ServerRequestFilter
    public Response filter(ContainerRequestContext request) {
        String path = normalized(request.getUriInfo().getPath());
        String method = request.getMethod();
        if (admin(path, method)) {
            return adminKey.isEmpty() ? null : verify(request, List.of(adminKey.get()));
        }
        if (client(path) && !clientKeys.isEmpty()) {
            List<byte[]> accepted = new java.util.ArrayList<>(clientKeys);
            adminKey.ifPresent(accepted::add);
            return verify(request, accepted);
        }
        return null;
    }

    /**
     * The path as the router matches it: "/feedback/", "//feedback" and "/feedback;x=1" all reach
     * the same method as "/feedback", so they must need the same key.
     */
    static String normalized(String path) {
        if (path.indexOf(';') < 0 && !path.contains("//") && (path.length() <= 1 || !path.endsWith("/"))
                && path.startsWith("/")) {
            return path;
        }
        String p = path.replaceAll(";[^/]*", "").replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.startsWith("/") ? p : "/" + p;
    }

    static boolean admin(String path, String method) {
        if (!path.startsWith("/policies/")) {
            return false;
        }
        return method.equals("PUT") || method.equals("DELETE") || method.equals("POST")
                || (method.equals("GET") && path.matches("/policies/[^/]+/snapshots/[^/]+"));
    }

    static boolean client(String path) {
        return path.equals("/recommend") || path.startsWith("/recommend/") || path.equals("/feedback");
    }

    private static Response verify(ContainerRequestContext request, List<byte[]> accepted) {
        String given = request.getHeaderString(HEADER);
        if (given == null || given.isEmpty()) {
            return ProblemMappers.respond(Problem.of(401, "Unauthorized", "this call needs an API key in the "
                    + HEADER + " header"));
        }
        byte[] candidate = bytes(given);
        boolean ok = false;
        for (byte[] key : accepted) {
            // Every key is compared, each in constant time, so timing does not tell which or how much matched.
            ok |= MessageDigest.isEqual(key, candidate);
        }
        return ok ? null : ProblemMappers.respond(Problem.of(403, "Forbidden", "the API key is not valid for this "
                + "call"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
