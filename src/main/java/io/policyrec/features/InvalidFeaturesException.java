package io.policyrec.features;

/** Named features that cannot be read: which field (a path into the request) and why. */
public final class InvalidFeaturesException extends IllegalArgumentException {
    private final String field;
    private final String reason;

    public InvalidFeaturesException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
