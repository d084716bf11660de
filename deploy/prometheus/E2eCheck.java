import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end check of the watch on entropy collapse, run by e2e-check.sh against a running
 * service and a real Prometheus scraping it (single-file program: java E2eCheck.java ...).
 *
 *   drive <service url>                     two policies: "collapse" (no regularizer) and "diverse"
 *   check <prometheus url> <threshold>      their entropy ratios as Prometheus sees them
 *   exprs <prometheus url> <files...>       every PromQL expression of the dashboard and rules evaluates
 */
public class E2eCheck {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "drive" -> drive(args[1]);
            case "check" -> check(args[1], Double.parseDouble(args[2]));
            case "exprs" -> exprs(args[1], List.of(args).subList(2, args.length));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static String call(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static void drive(String service) throws Exception {
        String common = "\"contextDimension\":4,\"actions\":10,\"batchSize\":10,\"learningRate\":0.05,\"seed\":1,"
                + "\"baseline\":\"none\"";
        call("PUT", service + "/policies/collapse", "{" + common + ",\"regularizer\":{\"type\":\"none\"}}");
        call("PUT", service + "/policies/diverse", "{" + common + ",\"regularizer\":{\"type\":\"entropy\",\"lambda\":3}}");
        Random random = new Random(3);
        Pattern decision = Pattern.compile("\"eventId\":\"([^\"]+)\",\"policy\":\"[^\"]+\",\"policyVersion\":\\d+,"
                + "\"action\":(\\d+)");
        for (int round = 0; round < 150; round++) {
            for (String policy : List.of("collapse", "diverse")) {
                StringBuilder contexts = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    contexts.append(i == 0 ? "" : ",").append('[').append(random.nextFloat()).append(',')
                            .append(random.nextFloat()).append(',').append(random.nextFloat()).append(',')
                            .append(random.nextFloat()).append(']');
                }
                String decisions = call("POST", service + "/recommend/batch", "{\"policy\":\"" + policy
                        + "\",\"contexts\":[" + contexts + "]}");
                StringBuilder feedback = new StringBuilder("[");
                Matcher m = decision.matcher(decisions);
                boolean first = true;
                while (m.find()) {
                    // Action 0 is the only rewarded one: plain REINFORCE piles onto it.
                    double reward = m.group(2).equals("0") ? 1.0 : 0.0;
                    feedback.append(first ? "" : ",").append("{\"eventId\":\"").append(m.group(1))
                            .append("\",\"reward\":").append(reward).append('}');
                    first = false;
                }
                call("POST", service + "/feedback", feedback.append(']').toString());
            }
        }
        // Single decisions too: the dashboard's serving panels watch /recommend itself.
        for (int i = 0; i < 20; i++) {
            call("POST", service + "/recommend", "{\"policy\":\"diverse\",\"context\":[0.5,0.5,0.5,0.5]}");
        }
        System.out.println("drove 150 rounds of 50 decisions with feedback for each of collapse and diverse, and 20 "
                + "single decisions");
    }

    static double query(String prometheus, String promql) throws Exception {
        String body = call("GET", prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql,
                StandardCharsets.UTF_8), null);
        if (!body.contains("\"status\":\"success\"")) {
            throw new IllegalStateException(promql + " -> " + body);
        }
        Matcher m = Pattern.compile("\"value\":\\[[^,]+,\"([^\"]+)\"\\]").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    static void check(String prometheus, double threshold) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        double collapse = Double.NaN;
        double diverse = Double.NaN;
        while (System.currentTimeMillis() < deadline) {
            collapse = query(prometheus, "policyrec_policy_entropy_ratio{policy=\"collapse\"}");
            diverse = query(prometheus, "policyrec_policy_entropy_ratio{policy=\"diverse\"}");
            if (collapse < threshold && diverse > threshold) {
                break;
            }
            Thread.sleep(1000);
        }
        System.out.println("Prometheus says, policy collapse:");
        for (String m : List.of("policyrec_policy_entropy_ratio", "policyrec_policy_entropy_nats",
                "policyrec_actions_in_use", "policyrec_top_action_share", "policyrec_effective_actions",
                "policyrec_reward_mean", "policyrec_policy_version", "policyrec_updates_total")) {
            System.out.printf("  %-34s collapse %8.4f   diverse %8.4f%n", m,
                    query(prometheus, m + "{policy=\"collapse\"}"), query(prometheus, m + "{policy=\"diverse\"}"));
        }
        if (!(collapse < threshold)) {
            throw new AssertionError("entropy ratio of 'collapse' is " + collapse + ", not below " + threshold);
        }
        if (!(diverse > threshold)) {
            throw new AssertionError("entropy ratio of 'diverse' is " + diverse + ", not above " + threshold);
        }
        System.out.println("OK: collapse " + collapse + " < " + threshold + " < diverse " + diverse);
    }

    /** Pulls every PromQL expression out of the dashboard JSON ("expr") and rule files (expr:) and runs it. */
    static void exprs(String prometheus, List<String> files) throws Exception {
        List<String> all = new ArrayList<>();
        java.util.Set<String> dashboardExprs = new java.util.HashSet<>();
        for (String f : files) {
            String text = Files.readString(Path.of(f));
            if (f.endsWith(".json")) {
                Matcher m = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
                while (m.find()) {
                    String e = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\").replace("\\n", " ");
                    all.add(e);
                    dashboardExprs.add(e);
                }
            } else {
                String[] lines = text.split("\n");
                for (int i = 0; i < lines.length; i++) {
                    Matcher m = Pattern.compile("^(\\s*)(?:- )?expr:\\s*(.*)$").matcher(lines[i]);
                    if (!m.find()) {
                        continue;
                    }
                    String rest = m.group(2).trim();
                    if (rest.equals("|") || rest.equals(">") || rest.startsWith("|-") || rest.startsWith(">-")) {
                        StringBuilder block = new StringBuilder();
                        int indent = m.group(1).length();
                        while (i + 1 < lines.length && (lines[i + 1].isBlank()
                                || lines[i + 1].length() - lines[i + 1].stripLeading().length() > indent)) {
                            block.append(lines[++i].trim()).append(' ');
                        }
                        all.add(block.toString().trim());
                    } else {
                        if ((rest.startsWith("'") && rest.endsWith("'")) || (rest.startsWith("\"") && rest.endsWith("\""))) {
                            rest = rest.substring(1, rest.length() - 1);
                        }
                        all.add(rest);
                    }
                }
            }
        }
        // Every metric an expression names must be one Prometheus scraped from the service: a
        // misspelled name evaluates without error to nothing, and an alert on it never fires.
        // (This check runs the embedded service: metrics only the Kafka feedback path registers are
        // listed here, so that every other name is held to the rule.)
        java.util.Set<String> kafkaOnly = java.util.Set.of("policyrec_feedback_dlq_total");
        String names = call("GET", prometheus + "/api/v1/label/__name__/values", null);
        Pattern metric = Pattern.compile("\\b(policyrec_[A-Za-z0-9_]+)\\b");
        int n = 0;
        for (String expr : all) {
            Matcher named = metric.matcher(expr);
            boolean kafkaPath = false;
            while (named.find()) {
                kafkaPath |= kafkaOnly.contains(named.group(1));
                if (!names.contains("\"" + named.group(1) + "\"") && !kafkaOnly.contains(named.group(1))) {
                    throw new AssertionError("'" + expr + "' names " + named.group(1) + ", which the service does not "
                            + "export (Prometheus has " + names + ")");
                }
            }
            String concrete = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
                    .replace("=~\"$policy\"", "=~\".*\"").replace("$policy", "collapse");
            query(prometheus, concrete);
            // A panel's query shows series; alert conditions are empty while they do not hold.
            String body = call("GET", prometheus + "/api/v1/query?query=" + URLEncoder.encode(concrete,
                    StandardCharsets.UTF_8), null);
            if (dashboardExprs.contains(expr) && body.contains("\"result\":[]") && !kafkaPath) {
                throw new AssertionError("the dashboard query '" + concrete + "' returns nothing");
            }
            n++;
        }
        if (n == 0) {
            throw new AssertionError("no expressions found in " + files);
        }
        System.out.println("OK: all " + n + " PromQL expressions of the dashboard and the alert rules evaluate");
    }
}
