package io.policyrec.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.policyrec.feedback.FeedbackIntake;
import io.policyrec.feedback.FeedbackParser;
import io.policyrec.policy.FieldError;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Rewards for earlier decisions, one or many per request. */
@Path("/feedback")
@SecurityRequirement(name = ApiKeys.OPENAPI_SCHEME)
@RequiresClientKey
public class FeedbackResource {
    static final int MAX_ITEMS = 10_000;

    private final FeedbackIntake intake;
    private final ObjectMapper json;
    private final Clock clock;
    private final io.micrometer.core.instrument.Counter received;

    public FeedbackResource(FeedbackIntake intake, ObjectMapper json, Clock clock,
                            io.micrometer.core.instrument.MeterRegistry meters) {
        this.intake = intake;
        this.json = json;
        this.clock = clock;
        this.received = io.micrometer.core.instrument.Counter.builder("policyrec_feedback_received_total")
                .tag("source", "http").description("Feedback records received").register(meters);
    }

    /** A reward checked and ready for the join. */
    record Reward(String eventId, double reward, long eventTime) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Accept {eventId, reward} or an array of them; 202 once queued for the join")
    public Response feedback(JsonNode body) {
        if (body == null || !(body.isObject() || body.isArray())) {
            throw ProblemException.invalid("body", "must be a feedback object or an array of them");
        }
        List<JsonNode> items = new ArrayList<>();
        if (body.isArray()) {
            if (body.isEmpty() || body.size() > MAX_ITEMS) {
                throw ProblemException.invalid("body", "must hold 1 to " + MAX_ITEMS + " feedback items");
            }
            body.forEach(items::add);
        } else {
            items.add(body);
        }
        long now = clock.millis();
        List<Reward> rewards = new ArrayList<>(items.size());
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String prefix = body.isArray() ? "[" + i + "]." : "";
            Reward r = check(items.get(i), prefix, now, errors);
            if (r != null) {
                rewards.add(r);
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        received.increment(rewards.size());
        int accepted = 0;
        for (Reward r : rewards) {
            if (!intake.accept(r.eventId(), r.reward(), r.eventTime())) {
                throw new ProblemException(new Problem("about:blank", "Busy", 503,
                        "the feedback queue is full; " + accepted + " of " + rewards.size()
                                + " items were accepted, retry the rest", List.of()));
            }
            accepted++;
        }
        return Response.accepted().entity(new Accepted(accepted)).build();
    }

    /** The 202 body. */
    public record Accepted(int accepted) {
    }

    private Reward check(JsonNode item, String prefix, long now, List<FieldError> errors) {
        if (!item.isObject()) {
            errors.add(new FieldError(prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
                    "must be an object with eventId and reward"));
            return null;
        }
        FeedbackRequest request;
        try {
            request = json.treeToValue(item, FeedbackRequest.class);
        } catch (UnrecognizedPropertyException e) {
            errors.add(new FieldError(prefix + e.getPropertyName(), "unknown field; known fields: eventId, reward, "
                    + "timestamp"));
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    ? m.getPath().get(0).getFieldName() : "body";
            errors.add(new FieldError(prefix + field, "has the wrong type"));
            return null;
        }
        int before = errors.size();
        if (request.eventId() == null || request.eventId().isBlank()
                || request.eventId().length() > FeedbackParser.MAX_EVENT_ID) {
            errors.add(new FieldError(prefix + "eventId", "is required: the eventId of a decision"));
        }
        if (request.reward() == null || !Double.isFinite(request.reward())
                || Math.abs(request.reward()) > FeedbackParser.MAX_ABS_REWARD) {
            errors.add(new FieldError(prefix + "reward", "is required and must be a finite number within +-"
                    + FeedbackParser.MAX_ABS_REWARD));
        }
        long time = now;
        if (request.timestamp() != null && !request.timestamp().isNull()) {
            Long parsed = FeedbackParser.parseTime(request.timestamp());
            if (parsed == null) {
                errors.add(new FieldError(prefix + "timestamp", "must be epoch milliseconds or an ISO-8601 instant, not before 1970"));
            } else {
                time = parsed;
            }
        }
        return errors.size() == before ? new Reward(request.eventId(), request.reward(), time) : null;
    }
}
