package io.policyrec.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.policy.Context;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads what an application knows as JSON into a hashed sparse {@link Context}. A JSON object, or
 * an array of objects (merged: Personalizer's {@code contextFeatures} shape); its leaves become
 * features named by their path:
 * <ul>
 * <li>a number is a numeric feature: {@code {"user": {"age": 34}}} gives {@code user.age} = 34;</li>
 * <li>a string is an indicator: {@code {"country": "DE"}} gives {@code country=DE} = 1;</li>
 * <li>a boolean is 1 or 0 ({@code mobile} = 1); null is absent;</li>
 * <li>an array of strings is a bag of indicators ({@code segments=sports}, {@code segments=tech});</li>
 * <li>an array of numbers is indexed ({@code emb[0]}, {@code emb[1]}, ...);</li>
 * <li>an array of objects merges them under its path.</li>
 * </ul>
 * Each name is hashed ({@link FeatureHash}) into one of 2^bits buckets; features that land in one
 * bucket add up. Values are kept raw: scaling is the policy's (see {@code PolicyWeights}).
 */
public final class NamedFeatures {

    /**
     * What one request may carry.
     *
     * @param maxFeatures   leaves per context
     * @param maxDepth      nesting of objects and arrays
     * @param maxNameLength characters of a feature name, its path and string value included
     */
    public record Limits(int maxFeatures, int maxDepth, int maxNameLength) {
    }

    public static final Limits DEFAULT_LIMITS = new Limits(1000, 8, 256);

    private final int bits;
    private final Limits limits;
    private final String root;
    private final StringBuilder name = new StringBuilder(64);
    private int[] indices = new int[16];
    private float[] values = new float[16];
    private int count;

    private NamedFeatures(int bits, Limits limits, String root) {
        this.bits = bits;
        this.limits = limits;
        this.root = root;
    }

    /**
     * The hashed context of {@code json}; {@code field} names it in errors (for instance
     * {@code features} or {@code features[3]}).
     */
    public static Context hash(JsonNode json, String field, int bits, Limits limits) {
        NamedFeatures reader = new NamedFeatures(bits, limits, field);
        if (json == null || json.isNull()) {
            throw new InvalidFeaturesException(field, "is required: a JSON object of named features, or an array "
                    + "of such objects");
        }
        if (json.isObject()) {
            reader.object(json, field, 1);
        } else if (json.isArray()) {
            int i = 0;
            for (JsonNode element : json) {
                String at = field + "[" + i++ + "]";
                if (!element.isObject()) {
                    throw new InvalidFeaturesException(at, "must be a JSON object of named features");
                }
                reader.object(element, at, 1);
            }
        } else {
            throw new InvalidFeaturesException(field, "must be a JSON object of named features, or an array of such "
                    + "objects, not " + json.getNodeType().name().toLowerCase());
        }
        return reader.context();
    }

    private void object(JsonNode object, String at, int depth) {
        if (depth > limits.maxDepth()) {
            throw new InvalidFeaturesException(at, "nests deeper than " + limits.maxDepth() + " levels");
        }
        int mark = name.length();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().isEmpty()) {
                throw new InvalidFeaturesException(at, "has a feature with an empty name");
            }
            if (mark > 0) {
                name.append('.');
            }
            name.append(f.getKey());
            value(f.getValue(), at + "." + f.getKey(), depth);
            name.setLength(mark);
        }
    }

    private void value(JsonNode v, String at, int depth) {
        switch (v.getNodeType()) {
            case NULL, MISSING -> {
            }
            case NUMBER -> add(at, number(v, at));
            case BOOLEAN -> {
                if (v.booleanValue()) {
                    add(at, 1f);
                }
            }
            case STRING -> {
                int mark = name.length();
                name.append('=').append(v.textValue());
                add(at, 1f);
                name.setLength(mark);
            }
            case OBJECT -> object(v, at, depth + 1);
            case ARRAY -> array(v, at, depth + 1);
            default -> throw new InvalidFeaturesException(at, "must be a number, string, boolean, array or object");
        }
    }

    private void array(JsonNode array, String at, int depth) {
        if (depth > limits.maxDepth()) {
            throw new InvalidFeaturesException(at, "nests deeper than " + limits.maxDepth() + " levels");
        }
        int mark = name.length();
        int i = 0;
        for (JsonNode e : array) {
            String elementAt = at + "[" + i + "]";
            if (e.isTextual()) {
                name.append('=').append(e.textValue());
                add(elementAt, 1f);
            } else if (e.isNumber()) {
                name.append('[').append(i).append(']');
                add(elementAt, number(e, elementAt));
            } else if (e.isObject()) {
                object(e, elementAt, depth + 1);
            } else if (!e.isNull()) {
                throw new InvalidFeaturesException(elementAt, "arrays hold strings (a bag of indicators), numbers "
                        + "(indexed) or objects (merged), not " + e.getNodeType().name().toLowerCase());
            }
            name.setLength(mark);
            i++;
        }
    }

    private static float number(JsonNode v, String at) {
        double d = v.doubleValue();
        if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
            throw new InvalidFeaturesException(at, "must be a finite number within float range, not " + v.asText());
        }
        return (float) d;
    }

    private void add(String at, float value) {
        if (count >= limits.maxFeatures()) {
            throw new InvalidFeaturesException(root, "has more than " + limits.maxFeatures() + " features");
        }
        if (name.length() > limits.maxNameLength()) {
            throw new InvalidFeaturesException(at, "makes a feature name longer than " + limits.maxNameLength()
                    + " characters");
        }
        if (count == indices.length) {
            indices = Arrays.copyOf(indices, 2 * count);
            values = Arrays.copyOf(values, 2 * count);
        }
        indices[count] = FeatureHash.bucket(name.toString(), bits);
        values[count] = value;
        count++;
    }

    /** Sorted by bucket, one entry per bucket (collisions add up). */
    private Context context() {
        long[] packed = new long[count];
        for (int i = 0; i < count; i++) {
            packed[i] = ((long) indices[i] << 32) | (i & 0xffffffffL);
        }
        Arrays.sort(packed);
        // Values that share a bucket add up: two finite floats can sum past the float range.
        int[] outIndex = new int[count];
        float[] outValue = new float[count];
        int n = 0;
        for (long p : packed) {
            int bucket = (int) (p >>> 32);
            float v = values[(int) p];
            if (n > 0 && outIndex[n - 1] == bucket) {
                outValue[n - 1] += v;
            } else {
                outIndex[n] = bucket;
                outValue[n] = v;
                n++;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(outValue[i])) {
                throw new InvalidFeaturesException(root, "has features whose values add up past the float range in "
                        + "one bucket");
            }
        }
        return new Context(Arrays.copyOf(outIndex, n), Arrays.copyOf(outValue, n));
    }
}
