package io.policyrec.serving;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.policyrec.policy.FieldError;
import java.util.List;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}), with the fields at fault.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, List.of());
    }

    public static Problem invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid; see errors";
        return new Problem("about:blank", "Invalid request", 400, detail, List.copyOf(errors));
    }

    public static Problem invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }
}
