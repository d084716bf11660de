package io.policyrec.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.policy.Context;
import java.nio.charset.StandardCharsets;
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

    /**
     * One reader per thread, reused: its buffers (name, path, features, the sort's scratch) are a
     * request's worth of garbage otherwise, on every event-loop thread at every request. Only the
     * context it returns is new.
     */
    private static final ThreadLocal<NamedFeatures> READERS = ThreadLocal.withInitial(NamedFeatures::new);

    private int bits;
    private Limits limits;
    /**
     * What errors call the whole context: {@code rootList}, or {@code rootList[rootIndex]rootSuffix}
     * when rootIndex >= 0 (a request's candidate: {@code candidates[3].features}), built only for an
     * error (measured: two string concatenations per candidate were a tenth of reading 50 of them).
     */
    private String rootList;
    private int rootIndex;
    private String rootSuffix;
    /**
     * The current feature's name as UTF-8, hashed in place: a leaf costs its bytes, not a String.
     * (Measured: building a name and a path string per leaf was most of a request's hashing.)
     */
    private byte[] name = new byte[64];
    private int nameLength;
    private int nameChars;
    private int[] indices = new int[16];
    private float[] values = new float[16];
    private long[] packed = new long[16];
    private int count;

    private NamedFeatures() {
    }

    private NamedFeatures start(int bits, Limits limits, String list, int index, String suffix) {
        this.bits = bits;
        this.limits = limits;
        this.rootList = list;
        this.rootIndex = index;
        this.rootSuffix = suffix;
        if (name.length > 4096) {
            // A long string value grew it (a request is refused past the name limit only after):
            // not kept for the thread's life.
            name = new byte[64];
        }
        nameLength = 0;
        nameChars = 0;
        count = 0;
        return this;
    }

    /**
     * The hashed context of {@code json}; {@code field} names it in errors (for instance
     * {@code features} or {@code features[3]}).
     */
    public static Context hash(JsonNode json, String field, int bits, Limits limits) {
        return READERS.get().start(bits, limits, field, -1, null).read(json);
    }

    /**
     * The hashed context of {@code json}, named {@code list[index]suffix} in errors (for instance
     * {@code candidates[3].features}): the name is built only if there is an error.
     */
    public static Context hash(JsonNode json, String list, int index, String suffix, int bits, Limits limits) {
        return READERS.get().start(bits, limits, list, index, suffix).read(json);
    }

    /** What errors call an element of a list: {@code list[index]suffix}. */
    public static String element(String list, int index, String suffix) {
        return list + "[" + index + "]" + suffix;
    }

    private String root() {
        return rootIndex < 0 ? rootList : element(rootList, rootIndex, rootSuffix);
    }

    private Context read(JsonNode json) {
        if (json == null || json.isNull()) {
            throw new InvalidFeaturesException(root(), "is required: a JSON object of named features, or an array "
                    + "of such objects");
        }
        if (json.isObject()) {
            try {
                object(json, 1);
            } catch (Misplaced e) {
                throw e.at(root());
            }
        } else if (json.isArray()) {
            int i = 0;
            for (JsonNode element : json) {
                try {
                    if (!element.isObject()) {
                        throw new Misplaced("must be a JSON object of named features");
                    }
                    object(element, 1);
                } catch (Misplaced e) {
                    throw e.under(i).at(root());
                }
                i++;
            }
        } else {
            throw new InvalidFeaturesException(root(), "must be a JSON object of named features, or an array of such "
                    + "objects, not " + json.getNodeType().name().toLowerCase());
        }
        return context();
    }

    private void object(JsonNode object, int depth) {
        if (depth > limits.maxDepth()) {
            throw new Misplaced("nests deeper than " + limits.maxDepth() + " levels");
        }
        int mark = nameLength;
        int markChars = nameChars;
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().isEmpty()) {
                throw new Misplaced("has a feature with an empty name");
            }
            if (mark > 0) {
                appendAscii('.');
            }
            append(f.getKey());
            try {
                value(f.getValue(), depth);
            } catch (Misplaced e) {
                throw e.under(f.getKey());
            }
            nameLength = mark;
            nameChars = markChars;
        }
    }

    private void value(JsonNode v, int depth) {
        switch (v.getNodeType()) {
            case NULL, MISSING -> {
            }
            case NUMBER -> add(number(v));
            case BOOLEAN -> {
                if (v.booleanValue()) {
                    add(1f);
                }
            }
            case STRING -> {
                int mark = nameLength;
                int markChars = nameChars;
                appendAscii('=');
                append(v.textValue());
                add(1f);
                nameLength = mark;
                nameChars = markChars;
            }
            case OBJECT -> object(v, depth + 1);
            case ARRAY -> array(v, depth + 1);
            default -> throw new Misplaced("must be a number, string, boolean, array or object");
        }
    }

    private void array(JsonNode array, int depth) {
        if (depth > limits.maxDepth()) {
            throw new Misplaced("nests deeper than " + limits.maxDepth() + " levels");
        }
        int mark = nameLength;
        int markChars = nameChars;
        int i = 0;
        for (JsonNode e : array) {
            try {
                if (e.isTextual()) {
                    appendAscii('=');
                    append(e.textValue());
                    add(1f);
                } else if (e.isNumber()) {
                    appendAscii('[');
                    appendIndex(i);
                    appendAscii(']');
                    add(number(e));
                } else if (e.isObject()) {
                    object(e, depth + 1);
                } else if (!e.isNull()) {
                    throw new Misplaced("arrays hold strings (a bag of indicators), numbers (indexed) or objects "
                            + "(merged), not " + e.getNodeType().name().toLowerCase());
                }
            } catch (Misplaced m) {
                throw m.under(i);
            }
            nameLength = mark;
            nameChars = markChars;
            i++;
        }
    }

    private float number(JsonNode v) {
        double d = v.doubleValue();
        if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
            throw new Misplaced("must be a finite number within float range, not " + v.asText());
        }
        return (float) d;
    }

    private void add(float value) {
        if (count >= limits.maxFeatures()) {
            throw new InvalidFeaturesException(root(), "has more than " + limits.maxFeatures() + " features");
        }
        if (nameChars > limits.maxNameLength()) {
            throw new Misplaced("makes a feature name longer than " + limits.maxNameLength() + " characters");
        }
        if (count == indices.length) {
            indices = Arrays.copyOf(indices, 2 * count);
            values = Arrays.copyOf(values, 2 * count);
        }
        indices[count] = FeatureHash.murmur3(name, nameLength, 0) & ((1 << bits) - 1);
        values[count] = value;
        count++;
    }

    private void appendAscii(char c) {
        ensure(1);
        name[nameLength++] = (byte) c;
        nameChars++;
    }

    /** Appends s as UTF-8: byte by byte while it is ASCII (the common case), else through the encoder. */
    private void append(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, name, nameLength, utf8.length);
                nameLength += utf8.length;
                nameChars += n;
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            name[nameLength + i] = (byte) s.charAt(i);
        }
        nameLength += n;
        nameChars += n;
    }

    private void ensure(int more) {
        if (nameLength + more > name.length) {
            name = Arrays.copyOf(name, Math.max(2 * name.length, nameLength + more));
        }
    }

    /** Appends a non-negative index's digits (an indexed number's name: emb[12]). */
    private void appendIndex(int i) {
        if (i >= 10) {
            appendIndex(i / 10);
        }
        appendAscii((char) ('0' + i % 10));
    }

    /**
     * An error below the context's root, on its way up: each level it leaves prepends its key or
     * index, and {@link #read} names the whole path ({@code features.cart.items[0]}). The path is
     * built only for an error, so reading a valid request keeps no path at all (it kept one per
     * leaf: a store of a reference per feature, with the collector's barrier).
     */
    private static final class Misplaced extends RuntimeException {
        private final String reason;
        private final StringBuilder path = new StringBuilder();

        Misplaced(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }

        Misplaced under(String key) {
            path.insert(0, key).insert(0, '.');
            return this;
        }

        Misplaced under(int index) {
            path.insert(0, ']').insert(0, index).insert(0, '[');
            return this;
        }

        InvalidFeaturesException at(String root) {
            return new InvalidFeaturesException(root + path, reason);
        }
    }

    /** Sorted by bucket, one entry per bucket (collisions add up). */
    private Context context() {
        if (packed.length < count) {
            packed = new long[indices.length];
        }
        for (int i = 0; i < count; i++) {
            packed[i] = ((long) indices[i] << 32) | (i & 0xffffffffL);
        }
        Arrays.sort(packed, 0, count);
        // Values that share a bucket add up: two finite floats can sum past the float range.
        int[] outIndex = new int[count];
        float[] outValue = new float[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            long p = packed[i];
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
                throw new InvalidFeaturesException(root(), "has features whose values add up past the float range in "
                        + "one bucket");
            }
        }
        // Without collisions (the usual case) the arrays are already the right size.
        return n == count ? new Context(outIndex, outValue)
                : new Context(Arrays.copyOf(outIndex, n), Arrays.copyOf(outValue, n));
    }
}
