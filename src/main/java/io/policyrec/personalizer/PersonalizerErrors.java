package io.policyrec.personalizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;

/**
 * Every error of a Personalizer endpoint (a bad body, a missing key, an unknown loop) keeps its
 * problem+json members and gains Personalizer's error object, {@code {"error": {"code",
 * "message", "target"}}}, which Microsoft's clients read into the error they throw. Those clients
 * parse a body only when it is {@code application/json}: a problem+json body reaches their callers
 * as bare text, without its code. So the answer is {@code application/json} unless the request
 * asks for {@code application/problem+json} by name.
 */
@Provider
@PersonalizerApi
public class PersonalizerErrors implements ContainerResponseFilter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM = io.policyrec.serving.Problem.MEDIA_TYPE;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() < 400) {
            return; // every Rank, Reward and Activate that succeeds: nothing to look at
        }
        MediaType type = response.getMediaType();
        if (type == null || !PROBLEM.equals(type.getType() + "/" + type.getSubtype())
                || !(response.getEntity() instanceof String body)) {
            return;
        }
        ObjectNode problem;
        try {
            JsonNode read = JSON.readTree(body);
            if (!(read instanceof ObjectNode o)) {
                return;
            }
            problem = o;
        } catch (java.io.IOException e) {
            return;
        }
        ObjectNode error = problem.putObject("error");
        error.put("code", code(response.getStatus()));
        error.put("message", problem.path("detail").asText(problem.path("title").asText("error")));
        JsonNode errors = problem.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            error.put("target", errors.get(0).path("field").asText());
        }
        response.setEntity(problem.toString());
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        response.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, accept != null && accept.contains(PROBLEM)
                ? PROBLEM : MediaType.APPLICATION_JSON);
    }

    /** Personalizer's codes (its v1.0 reference and the learning-loop service) for the statuses we answer. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "ResourceNotFound";
            case 409 -> "Conflict";
            case 413 -> "PayloadTooLarge";
            case 503 -> "ServiceUnavailable";
            default -> status >= 500 ? "InternalServerError" : "BadRequest";
        };
    }
}
