package io.policyrec.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a policy config written as properties ({@code policyrec.policies.<name>.*}) into the same
 * {@link PolicyConfigSpec} the REST API takes: each key is a JSON field path in kebab case
 * ({@code regularizer.target-entropy} is {@code regularizer.targetEntropy}), so every field of the
 * JSON config can be set, and a key the JSON config does not have is refused as it is there.
 * Lists ({@code actions} as ids, {@code hidden-layers}) are comma-separated.
 */
public final class PolicyProperties {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private PolicyProperties() {
    }

    /** A property value that is not a setting of the policy config. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * @param properties the keys after {@code policyrec.policies.<name>.}, with their values
     * @throws Invalid naming the key at fault
     */
    public static PolicyConfigSpec toSpec(Map<String, String> properties) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            String[] path = e.getKey().split("\\.");
            ObjectNode parent = root;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = parent.get(camel(path[i]));
                if (child == null) {
                    child = parent.putObject(camel(path[i]));
                }
                if (!(child instanceof ObjectNode o)) {
                    throw new Invalid(e.getKey() + ": " + path[i] + " is a value, not a group of settings");
                }
                parent = o;
            }
            String field = camel(path[path.length - 1]);
            parent.set(field, value(field, e.getValue().trim()));
        }
        try {
            return STRICT.treeToValue(root, PolicyConfigSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new Invalid(kebab(e.getPathReference()) + " is not a policy setting");
        } catch (JsonProcessingException e) {
            throw new Invalid(kebab(e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                    ? m.getPathReference() : "") + ": " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static JsonNode value(String field, String raw) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (field.equals("actions") && !raw.matches("\\d+")) {
            ArrayNode ids = f.arrayNode();
            for (String id : raw.split(",")) {
                ids.add(id.trim());
            }
            return ids;
        }
        if (field.equals("hiddenLayers")) {
            ArrayNode widths = f.arrayNode();
            for (String w : raw.split(",")) {
                if (!w.isBlank()) {
                    widths.add(number(w.trim()));
                }
            }
            return widths;
        }
        return number(raw);
    }

    /** A number when it reads as one (the spec's typed fields then take it), else the text. */
    private static JsonNode number(String raw) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (raw.matches("-?\\d+")) {
            // Exact: a 19-digit seed must not pass through a double.
            return f.numberNode(new java.math.BigInteger(raw));
        }
        if (raw.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return f.numberNode(Double.parseDouble(raw));
        }
        return f.textNode(raw);
    }

    private static String camel(String kebab) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    /** "PolicyConfigSpec[\"regularizer\"]->...[\"lamda\"]" as the property key "regularizer.lamda". */
    private static String kebab(String jacksonPath) {
        StringBuilder b = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[\"([^\"]+)\"\\]").matcher(jacksonPath);
        while (m.find()) {
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(m.group(1).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
