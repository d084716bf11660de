package io.policyrec.policy;

/** One thing wrong with a request or a configuration, named by the field it concerns. */
public record FieldError(String field, String message) {
}
