package io.policyrec.loadtest;

import io.policyrec.simulation.DriftOutcome;
import io.policyrec.simulation.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The summary table (Markdown and CSV) and the plots page of one data set's experiment. */
final class Report {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private Report() {
    }

    static void write(Path dir, String dataset, String settings, List<String> agents, List<RunResult> results,
                      long driftAt) throws IOException {
        Map<String, List<RunResult>> byAgent = group(agents, results);
        String md = markdown(dataset, settings, byAgent);
        if (driftAt > 0) {
            md += "\n" + driftTable(byAgent, driftAt);
            Files.writeString(dir.resolve("drift.csv"), driftCsv(byAgent, driftAt));
        }
        Files.writeString(dir.resolve("summary.md"), md);
        Files.writeString(dir.resolve("summary.csv"), csv(byAgent));
        Files.writeString(dir.resolve("plots.html"), html(dataset, settings, byAgent));
    }

    static Map<String, List<RunResult>> group(List<String> agents, List<RunResult> results) {
        Map<String, List<RunResult>> byAgent = new LinkedHashMap<>();
        for (String a : agents) {
            byAgent.put(a, new ArrayList<>());
        }
        for (RunResult r : results) {
            byAgent.get(r.agent()).add(r);
        }
        return byAgent;
    }

    static Stats stat(List<RunResult> runs, ToDoubleFunction<Evaluation> metric) {
        return Stats.of(runs.stream().map(r -> metric.applyAsDouble(r.last())).toList());
    }

    static String markdown(String dataset, String settings, Map<String, List<RunResult>> byAgent) {
        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(dataset).append("\n\n").append(settings)
                .append(". Mean ± 95% interval over seeds, at the end of training.\n\n");
        sb.append(table(byAgent));
        return sb.toString();
    }

    static Stats driftStat(List<RunResult> runs, long driftAt, ToDoubleFunction<DriftOutcome> metric) {
        return Stats.of(runs.stream().map(r -> metric.applyAsDouble(DriftOutcome.of(r.evaluations(), driftAt)))
                .toList());
    }

    /**
     * Around the drift: greedy reward just before it, at the first evaluation after it and at the
     * end; entropy and actions in use before and at the end; how many seeds got back within
     * {@link DriftOutcome#TOLERANCE} of their pre-drift reward, and after how many interactions.
     */
    static String driftTable(Map<String, List<RunResult>> byAgent, long driftAt) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Preferences permuted after %,d interactions. "
                + "Recovered: back within %.2f of the pre-drift greedy reward (seeds that did, of all; interactions "
                + "after the drift, mean over those that did).%n%n", driftAt, DriftOutcome.TOLERANCE));
        sb.append("| agent | reward before | just after | at the end | entropy before | entropy at the end "
                + "| actions before | actions at the end | recovered | interactions to recover |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RunResult>> e : byAgent.entrySet()) {
            List<RunResult> runs = e.getValue();
            if (runs.isEmpty()) {
                continue;
            }
            List<DriftOutcome> outcomes = runs.stream().map(r -> DriftOutcome.of(r.evaluations(), driftAt)).toList();
            List<Double> recoveries = outcomes.stream().filter(DriftOutcome::recovered)
                    .map(o -> (double) o.recoveryInteractions()).toList();
            sb.append("| ").append(e.getKey())
                    .append(" | ").append(driftStat(runs, driftAt, DriftOutcome::rewardBefore).format("%.3f"))
                    .append(" | ").append(driftStat(runs, driftAt, DriftOutcome::rewardJustAfter).format("%.3f"))
                    .append(" | ").append(driftStat(runs, driftAt, DriftOutcome::rewardEnd).format("%.3f"))
                    .append(" | ").append(driftStat(runs, driftAt, DriftOutcome::entropyBefore).format("%.3f"))
                    .append(" | ").append(driftStat(runs, driftAt, DriftOutcome::entropyEnd).format("%.3f"))
                    .append(" | ").append(driftStat(runs, driftAt, o -> o.actionsBefore()).format("%.1f"))
                    .append(" | ").append(driftStat(runs, driftAt, o -> o.actionsEnd()).format("%.1f"))
                    .append(" | ").append(recoveries.size()).append(" of ").append(outcomes.size())
                    .append(" | ").append(recoveries.isEmpty() ? "never" : String.format(Locale.ROOT, "%,.0f",
                            recoveries.stream().mapToDouble(Double::doubleValue).average().orElse(0)))
                    .append(" |\n");
        }
        return sb.toString();
    }

    static String driftCsv(Map<String, List<RunResult>> byAgent, long driftAt) {
        StringBuilder sb = new StringBuilder("agent,seed,reward_before,reward_just_after,reward_end,entropy_before,"
                + "entropy_end,actions_before,actions_end,recovery_interactions\n");
        for (Map.Entry<String, List<RunResult>> e : byAgent.entrySet()) {
            for (RunResult r : e.getValue()) {
                DriftOutcome o = DriftOutcome.of(r.evaluations(), driftAt);
                sb.append(String.format(Locale.ROOT, "%s,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%d,%d,%d%n", e.getKey(), r.seed(),
                        o.rewardBefore(), o.rewardJustAfter(), o.rewardEnd(), o.entropyBefore(), o.entropyEnd(),
                        o.actionsBefore(), o.actionsEnd(), o.recoveryInteractions()));
            }
        }
        return sb.toString();
    }

    static String table(Map<String, List<RunResult>> byAgent) {
        StringBuilder sb = new StringBuilder();
        sb.append("| agent | greedy reward | accuracy | sampled reward | entropy (nats) | actions used | top share "
                + "| lambda | s/run |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RunResult>> e : byAgent.entrySet()) {
            List<RunResult> runs = e.getValue();
            if (runs.isEmpty()) {
                continue;
            }
            sb.append("| ").append(e.getKey())
                    .append(" | ").append(stat(runs, Evaluation::greedyReward).format("%.3f"))
                    .append(" | ").append(stat(runs, Evaluation::greedyAccuracy).format("%.3f"))
                    .append(" | ").append(stat(runs, Evaluation::sampledReward).format("%.3f"))
                    .append(" | ").append(stat(runs, Evaluation::meanEntropy).format("%.3f"))
                    .append(" | ").append(stat(runs, ev -> ev.actionsUsed()).format("%.1f")).append(" of ")
                    .append(runs.get(0).last().actionShares().length)
                    .append(" | ").append(stat(runs, Evaluation::topActionShare).format("%.3f"))
                    .append(" | ").append(stat(runs, Evaluation::lambda).format("%.3f"))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f",
                            runs.stream().mapToDouble(RunResult::seconds).average().orElse(0)))
                    .append(" |\n");
        }
        return sb.toString();
    }

    static String csv(Map<String, List<RunResult>> byAgent) {
        StringBuilder sb = new StringBuilder("agent,seeds,greedy_reward,greedy_reward_ci,accuracy,accuracy_ci,"
                + "sampled_reward,sampled_reward_ci,mean_entropy,mean_entropy_ci,actions_used,actions_used_ci,"
                + "top_share,top_share_ci\n");
        for (Map.Entry<String, List<RunResult>> e : byAgent.entrySet()) {
            List<RunResult> runs = e.getValue();
            if (runs.isEmpty()) {
                continue;
            }
            sb.append(e.getKey()).append(',').append(runs.size());
            for (ToDoubleFunction<Evaluation> m : List.<ToDoubleFunction<Evaluation>>of(Evaluation::greedyReward,
                    Evaluation::greedyAccuracy, Evaluation::sampledReward, Evaluation::meanEntropy,
                    ev -> ev.actionsUsed(), Evaluation::topActionShare)) {
                Stats s = stat(runs, m);
                sb.append(String.format(Locale.ROOT, ",%.5f,%.5f", s.mean(), s.halfWidth()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String html(String dataset, String settings, Map<String, List<RunResult>> byAgent) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(dataset).append("</title><style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                        + "svg{margin:8px 0}</style></head><body>");
        sb.append("<h1>").append(dataset).append("</h1><p>").append(settings).append("</p>");
        sb.append(lineChart("Greedy test reward", byAgent, Evaluation::greedyReward));
        sb.append(lineChart("Mean policy entropy (nats)", byAgent, Evaluation::meanEntropy));
        sb.append(lineChart("Actions in use (share >= 0.5%)", byAgent, e -> e.actionsUsed()));
        sb.append("<h2>Actions drawn on the test set at the end (mean over seeds)</h2>");
        int i = 0;
        for (Map.Entry<String, List<RunResult>> e : byAgent.entrySet()) {
            if (!e.getValue().isEmpty()) {
                sb.append(histogram(e.getKey(), e.getValue(), COLORS[i % COLORS.length]));
            }
            i++;
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static String lineChart(String title, Map<String, List<RunResult>> byAgent,
                                    ToDoubleFunction<Evaluation> metric) {
        int w = 900;
        int h = 320;
        int left = 60;
        int bottom = 40;
        double maxX = 0;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunResult>> e : byAgent.entrySet()) {
            List<RunResult> runs = e.getValue();
            if (runs.isEmpty()) {
                continue;
            }
            int points = runs.stream().mapToInt(r -> r.evaluations().size()).min().orElse(0);
            double[][] xy = new double[points][2];
            for (int p = 0; p < points; p++) {
                xy[p][0] = runs.get(0).evaluations().get(p).interactions();
                double sum = 0;
                for (RunResult r : runs) {
                    sum += metric.applyAsDouble(r.evaluations().get(p));
                }
                xy[p][1] = sum / runs.size();
                maxX = Math.max(maxX, xy[p][0]);
                minY = Math.min(minY, xy[p][1]);
                maxY = Math.max(maxY, xy[p][1]);
            }
            series.put(e.getKey(), xy);
        }
        if (minY == maxY) {
            maxY = minY + 1;
        }
        double pad = (maxY - minY) * 0.05;
        minY -= pad;
        maxY += pad;
        StringBuilder sb = new StringBuilder("<h2>").append(title).append("</h2>");
        sb.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w + 200, h));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>", left, h - bottom, w, h - bottom));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>", left, left, h - bottom));
        for (int t = 0; t <= 4; t++) {
            double y = minY + (maxY - minY) * t / 4;
            double py = (h - bottom) - (h - bottom - 10) * t / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%.0f\" font-size=\"11\">%.3f</text>", py + 4, y));
            double x = maxX * t / 4;
            double px = left + (w - left) * t / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" font-size=\"11\">%,.0f</text>", px - 15, h - bottom + 15, x));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">interactions</text>", (w + left) / 2 - 30, h - 5));
        int i = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            String color = COLORS[i % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : e.getValue()) {
                double px = left + (w - left) * (maxX == 0 ? 0 : p[0] / maxX);
                double py = (h - bottom) - (h - bottom - 10) * (p[1] - minY) / (maxY - minY);
                path.append(path.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            sb.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\"/>");
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", w + 15, 15 + 18 * i, color, w + 32, 26 + 18 * i,
                    e.getKey()));
            i++;
        }
        return sb.append("</svg>").toString();
    }

    private static String histogram(String agent, List<RunResult> runs, String color) {
        int k = runs.get(0).last().actionShares().length;
        double[] shares = new double[k];
        for (RunResult r : runs) {
            for (int a = 0; a < k; a++) {
                shares[a] += r.last().actionShares()[a] / runs.size();
            }
        }
        double max = 0;
        for (double s : shares) {
            max = Math.max(max, s);
        }
        int w = Math.max(300, Math.min(900, 18 * k));
        int h = 140;
        double bar = (double) w / k;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "<div><b>%s</b><br><svg width=\"%d\" height=\"%d\" "
                + "xmlns=\"http://www.w3.org/2000/svg\">", agent, w + 10, h + 20));
        for (int a = 0; a < k; a++) {
            double bh = max == 0 ? 0 : (h - 10) * shares[a] / max;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>action %d: %.3f</title></rect>", a * bar + 1, h - bh, Math.max(1, bar - 2), bh, color, a, shares[a]));
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>", h, w, h));
        sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"11\">actions 0..%d; tallest bar %.1f%%</text>",
                h + 14, k - 1, 100 * max));
        return sb.append("</svg></div>").toString();
    }
}
