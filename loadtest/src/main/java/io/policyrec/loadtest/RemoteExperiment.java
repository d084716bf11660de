package io.policyrec.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.policyrec.simulation.BanditEnvironment;
import io.policyrec.simulation.Evaluation;
import io.policyrec.simulation.Experiment;
import io.policyrec.simulation.Sample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The paper's experiment against a running service: each round asks /recommend/batch for the
 * actions on a batch of fresh contexts, sends their rewards (HTTP /feedback or the Kafka feedback
 * topic), and waits for the service to learn from them (one update per round, as in the paper);
 * evaluations read the service's distributions through /recommend/probabilities (nothing logged).
 * Run the service with policyrec.learner.max-batch-delay=0 so that its batches are exactly the rounds.
 */
final class RemoteExperiment {
    private RemoteExperiment() {
    }

    static List<Evaluation> run(ServiceClient service, KafkaProducer<byte[], byte[]> kafka, BanditEnvironment env,
                                Agent agent, String policy, int updates, int batch, double lr, String baseline,
                                int evalEvery, long seed, Consumer<Evaluation> progress) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        if (agent.namedFeatures()) {
            config.put("input", Map.of("type", "features", "bits", agent.featureBits()));
        } else {
            config.put("contextDimension", env.contextDimension());
        }
        config.put("actions", env.actionCount());
        config.put("batchSize", batch);
        config.put("rewardWindow", "PT1H");
        config.put("seed", seed);
        if (!agent.isDefault()) {
            // The default agent is what a user gets who names only the context and the actions.
            Map<String, Object> regularizer = new LinkedHashMap<>();
            regularizer.put("type", agent.type().wireName());
            regularizer.put("lambda", agent.lambda());
            regularizer.put("reference", agent.reference().wireName());
            regularizer.put("lambdaStep", agent.step());
            regularizer.put("lambdaMax", agent.max());
            if (agent.target() != null) {
                regularizer.put("targetEntropy", agent.target());
            }
            if (agent.ratio() != null) {
                regularizer.put("targetEntropyRatio", agent.ratio());
            }
            config.put("learningRate", lr);
            config.put("regularizer", regularizer);
            config.put("baseline", baseline);
        }
        service.putPolicy(policy, config);
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom evaluationRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Evaluation> evaluations = new ArrayList<>();
        for (int u = 1; u <= updates; u++) {
            float[][] contexts = new float[batch][];
            Sample[] samples = new Sample[batch];
            for (int b = 0; b < batch; b++) {
                samples[b] = env.draw(random);
                contexts[b] = samples[b].context();
            }
            List<JsonNode> decisions = agent.namedFeatures() ? service.recommendBatch(policy, named(env, contexts))
                    : service.recommendBatch(policy, contexts);
            StringBuilder feedback = new StringBuilder("[");
            for (int b = 0; b < batch; b++) {
                JsonNode d = decisions.get(b);
                double reward = samples[b].rewards()[d.get("action").asInt()];
                String id = d.get("eventId").asText();
                if (kafka != null) {
                    kafka.send(new ProducerRecord<>("policyrec.feedback", id.getBytes(StandardCharsets.UTF_8),
                            ("{\"reward\":" + reward + "}").getBytes(StandardCharsets.UTF_8)));
                } else {
                    feedback.append(b == 0 ? "" : ",").append("{\"eventId\":\"").append(id).append("\",\"reward\":")
                            .append(reward).append('}');
                }
            }
            if (kafka != null) {
                kafka.flush();
            } else {
                service.json("POST", "/feedback", feedback.append(']').toString());
            }
            awaitVersion(service, policy, u);
            if (u % evalEvery == 0 || u == updates) {
                Evaluation e = evaluate(service, env, agent, policy, u, (long) u * batch, evaluationRandom);
                evaluations.add(e);
                progress.accept(e);
            }
        }
        return evaluations;
    }

    static void awaitVersion(ServiceClient service, String policy, long version) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (service.version(policy) < version) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(policy + " did not reach version " + version + " (is the service "
                        + "running with policyrec.learner.max-batch-delay=0?)");
            }
            Thread.sleep(1);
        }
    }

    /** The contexts as an application would name them. */
    static List<JsonNode> named(BanditEnvironment env, float[][] contexts) {
        List<JsonNode> named = new ArrayList<>(contexts.length);
        for (float[] c : contexts) {
            named.add(env.namedContext(c));
        }
        return named;
    }

    static Evaluation evaluate(ServiceClient service, BanditEnvironment env, Agent agent, String policy, long updates,
                               long interactions, SplittableRandom random) throws Exception {
        List<Sample> test = env.testSet();
        List<double[]> distributions = new ArrayList<>(test.size());
        double lambda = Double.NaN;
        for (int from = 0; from < test.size(); from += 1000) {
            int to = Math.min(test.size(), from + 1000);
            StringBuilder body = new StringBuilder("{\"policy\":\"").append(policy).append("\",\"")
                    .append(agent.namedFeatures() ? "features" : "contexts").append("\":[");
            for (int i = from; i < to; i++) {
                if (i > from) {
                    body.append(',');
                }
                if (agent.namedFeatures()) {
                    body.append(env.namedContext(test.get(i).context()));
                } else {
                    ServiceClient.appendContext(body, test.get(i).context());
                }
            }
            JsonNode r = service.json("POST", "/recommend/probabilities", body.append("]}").toString());
            for (JsonNode row : r.get("probabilities")) {
                double[] q = new double[row.size()];
                for (int a = 0; a < q.length; a++) {
                    q[a] = row.get(a).asDouble();
                }
                distributions.add(q);
            }
        }
        lambda = service.json("GET", "/policies/" + policy, null).get("lambda").asDouble();
        return Experiment.evaluate(env, distributions, updates, interactions, lambda, random);
    }
}
