package io.policyrec.serving;

import io.policyrec.config.PolicyrecConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * API keys in the X-API-Key header: the admin key for what changes policies (and for exporting
 * one), client keys for decisions and feedback when configured. Keys are compared in constant
 * time and never logged. 401 without a key, 403 with a wrong one, both problem+json.
 */
@ApplicationScoped
public class ApiKeys {
    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    static final String HEADER = "X-API-Key";
    /** Azure's key header, which Personalizer's clients send: accepted as a client key, as X-API-Key is. */
    static final String AZURE_HEADER = "Ocp-Apim-Subscription-Key";
    /** The OpenAPI security scheme of the keys, so that Swagger UI can send them. */
    static final String OPENAPI_SCHEME = "api-key";

    private final Optional<byte[]> adminKey;
    private final List<byte[]> clientKeys;
    private final boolean requireAdminKey;
    private final List<byte[]> adminOnly;
    private final List<byte[]> clientOrAdmin;

    public ApiKeys(PolicyrecConfig config) {
        this.adminKey = config.security().adminKey().filter(k -> !k.isBlank()).map(ApiKeys::bytes);
        this.clientKeys = config.security().clientKeys().orElse(List.of()).stream().filter(k -> !k.isBlank())
                .map(ApiKeys::bytes).toList();
        this.requireAdminKey = config.security().requireAdminKey();
        this.adminOnly = adminKey.map(List::of).orElse(List.of());
        List<byte[]> accepted = new ArrayList<>(clientKeys);
        adminKey.ifPresent(accepted::add);
        this.clientOrAdmin = List.copyOf(accepted);
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

    /** The answer to a call that needs the admin key, or null to let it through. */
    Response checkAdmin(ContainerRequestContext request) {
        return adminKey.isEmpty() ? null : verify(request, adminOnly, false);
    }

    /** The answer to a decision or feedback call, or null to let it through (the admin key also works). */
    Response checkClient(ContainerRequestContext request) {
        return clientKeys.isEmpty() ? null : verify(request, clientOrAdmin, true);
    }

    /**
     * Bound by annotation to the resource methods it guards, so it runs after routing: every
     * spelling of a path that reaches a method ("/feedback/", "//feedback", "/feedback;x=1") needs
     * that method's key, and a new endpoint is guarded by saying so where it is declared.
     */
    @Provider
    @RequiresAdminKey
    @Priority(Priorities.AUTHENTICATION)
    public static class AdminKeyFilter implements ContainerRequestFilter {
        private final ApiKeys keys;

        public AdminKeyFilter(ApiKeys keys) {
            this.keys = keys;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            Response denied = keys.checkAdmin(request);
            if (denied != null) {
                request.abortWith(denied);
            }
        }
    }

    /** The client-key counterpart of {@link AdminKeyFilter}. */
    @Provider
    @RequiresClientKey
    @Priority(Priorities.AUTHENTICATION)
    public static class ClientKeyFilter implements ContainerRequestFilter {
        private final ApiKeys keys;

        public ClientKeyFilter(ApiKeys keys) {
            this.keys = keys;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            Response denied = keys.checkClient(request);
            if (denied != null) {
                request.abortWith(denied);
            }
        }
    }

    private static Response verify(ContainerRequestContext request, List<byte[]> accepted, boolean azureHeader) {
        String given = request.getHeaderString(HEADER);
        if ((given == null || given.isEmpty()) && azureHeader) {
            given = request.getHeaderString(AZURE_HEADER);
        }
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
