package io.policyrec.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The few calls the load tools make to a running service, over plain HTTP. */
final class ServiceClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    ServiceClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    String base() {
        return base;
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() >= 300) {
            throw new IOException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    void putPolicy(String name, Object config) throws IOException, InterruptedException {
        HttpResponse<String> r = send("PUT", "/policies/" + name, JSON.writeValueAsString(config));
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new IOException("PUT /policies/" + name + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** The policy's reward window. */
    java.time.Duration rewardWindow(String policy) throws IOException, InterruptedException {
        return java.time.Duration.parse(json("GET", "/policies/" + policy, null).get("config").get("rewardWindow")
                .asText());
    }

    long version(String policy) throws IOException, InterruptedException {
        return json("GET", "/policies/" + policy, null).get("version").asLong();
    }

    /** Decisions for the given contexts in one round trip: their event ids and actions. */
    List<JsonNode> recommendBatch(String policy, float[][] contexts) throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder(contexts.length * contexts[0].length * 7);
        sb.append("{\"policy\":").append(JSON.writeValueAsString(policy)).append(",\"contexts\":[");
        for (int i = 0; i < contexts.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendContext(sb, contexts[i]);
        }
        sb.append("]}");
        List<JsonNode> out = new ArrayList<>();
        json("POST", "/recommend/batch", sb.toString()).forEach(out::add);
        return out;
    }

    /** One decision per named context (a policy over named features). */
    List<JsonNode> recommendBatch(String policy, List<JsonNode> features) throws IOException, InterruptedException {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("policy", policy);
        body.put("features", features);
        List<JsonNode> out = new ArrayList<>();
        json("POST", "/recommend/batch", JSON.writeValueAsString(body)).forEach(out::add);
        return out;
    }

    static void appendContext(StringBuilder sb, float[] x) {
        sb.append('[');
        for (int j = 0; j < x.length; j++) {
            if (j > 0) {
                sb.append(',');
            }
            sb.append(x[j] == 0f ? "0" : Float.toString(x[j]));
        }
        sb.append(']');
    }

    /** The Prometheus endpoint's text. */
    String metricsText() throws IOException, InterruptedException {
        return send("GET", "/q/metrics", null).body();
    }

    /** One sample of the Prometheus endpoint, or 0 when absent. */
    double metric(String sample) throws IOException, InterruptedException {
        String body = metricsText();
        for (String line : body.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
            }
        }
        return 0.0;
    }
}
