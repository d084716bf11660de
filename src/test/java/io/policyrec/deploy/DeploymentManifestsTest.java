package io.policyrec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The Kubernetes manifests parse as the resources they claim to be and agree with the application. */
class DeploymentManifestsTest {
    static final Path BASE = Path.of("k8s", "base");
    static final List<HasMetadata> RESOURCES = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(BASE.resolve("kustomization.yaml")));
        for (Object resource : (List<?>) kustomization.get("resources")) {
            Path file = BASE.resolve(resource.toString());
            assertTrue(Files.exists(file), "kustomization names " + file);
            Object parsed = Serialization.unmarshal(Files.newInputStream(file));
            if (parsed instanceof List<?> list) {
                list.forEach(r -> RESOURCES.add((HasMetadata) r));
            } else {
                RESOURCES.add((HasMetadata) parsed);
            }
        }
        Map<String, Object> overlay = new Yaml().load(Files.readString(Path.of("k8s/overlays/example/kustomization.yaml")));
        assertTrue(((List<?>) overlay.get("resources")).contains("../../base"));
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T one(Class<T> type) {
        return (T) RESOURCES.stream().filter(type::isInstance).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName()));
    }

    static GenericKubernetesResource custom(String kind) {
        return RESOURCES.stream().filter(r -> r instanceof GenericKubernetesResource && r.getKind().equals(kind))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow(() -> new AssertionError(kind));
    }

    @Test
    void deploymentProbesPortsAndConfigMatchTheApplication() throws Exception {
        Deployment d = one(Deployment.class);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        int httpPort = Integer.parseInt(ConfigNames.applicationProperty("quarkus.http.port"));
        assertEquals(httpPort, c.getPorts().get(0).getContainerPort());
        assertEquals("http", c.getPorts().get(0).getName());
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
        assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertNotNull(c.getResources().getRequests().get("cpu"));
        assertNotNull(c.getResources().getLimits().get("memory"));
        long shutdown = java.time.Duration.parse("PT" + ConfigNames.applicationProperty("quarkus.shutdown.timeout")
                .toUpperCase()).toSeconds();
        assertTrue(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > shutdown + 10,
                "grace period longer than the shutdown timeout plus the final snapshot flush");
        ConfigMap config = one(ConfigMap.class);
        Secret keys = one(Secret.class);
        assertEquals(config.getMetadata().getName(), c.getEnvFrom().get(0).getConfigMapRef().getName());
        assertEquals(keys.getMetadata().getName(), c.getEnvFrom().get(1).getSecretRef().getName());
        for (String key : config.getData().keySet()) {
            assertTrue(ConfigNames.knownEnv(key), "ConfigMap sets " + key + ", which the service does not read");
        }
        assertTrue(keys.getStringData().containsKey("POLICYREC_SECURITY_ADMIN_KEY"));
        for (String key : keys.getStringData().keySet()) {
            assertTrue(ConfigNames.knownEnv(key), "Secret sets " + key + ", which the service does not read");
        }
        assertEquals("production", config.getData().get("QUARKUS_PROFILE"), "the profile that requires an admin key");
    }

    @Test
    void serviceAutoscalerBudgetAndNetworkPolicySelectThePods() {
        Deployment d = one(Deployment.class);
        Map<String, String> pods = d.getSpec().getTemplate().getMetadata().getLabels();
        Service s = one(Service.class);
        assertTrue(pods.entrySet().containsAll(s.getSpec().getSelector().entrySet()));
        assertEquals("http", s.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class);
        assertEquals(d.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 2, "two replicas at least, so that one can learn while one serves");
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
        assertTrue(pods.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        NetworkPolicy np = one(NetworkPolicy.class);
        assertTrue(pods.entrySet().containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertEquals(8080, np.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceMonitorScrapesTheMetricsEndpoint() throws Exception {
        GenericKubernetesResource sm = custom("ServiceMonitor");
        Map<String, Object> spec = (Map<String, Object>) sm.getAdditionalProperties().get("spec");
        Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
        assertEquals(ConfigNames.applicationProperty("quarkus.micrometer.export.prometheus.path"), endpoint.get("path"));
        assertEquals(one(Service.class).getSpec().getPorts().get(0).getName(), endpoint.get("port"));
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
        assertTrue(one(Service.class).getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
    }

    /**
     * The job label Prometheus gives the ServiceMonitor's targets (the prometheus-operator's rule:
     * the value of the Service label named by jobLabel, else the Service's name) is the job every
     * alert selects on; with the Service's name the instance-down alert could never fire.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theAlertsSelectTheJobTheServiceMonitorProduces() throws Exception {
        Map<String, Object> spec = (Map<String, Object>) custom("ServiceMonitor").getAdditionalProperties().get("spec");
        Service service = one(Service.class);
        String jobLabel = (String) spec.get("jobLabel");
        String job = jobLabel == null ? service.getMetadata().getName() : service.getMetadata().getLabels().get(jobLabel);
        assertNotNull(job, "the Service carries the label " + jobLabel);
        String alerts = Files.readString(Path.of("deploy/prometheus/alerts.yml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("job=\"([^\"]+)\"").matcher(alerts);
        int selectors = 0;
        while (m.find()) {
            assertEquals(job, m.group(1), "an alert selects job=\"" + m.group(1) + "\" but Kubernetes scrapes job " + job);
            selectors++;
        }
        assertTrue(selectors > 0, "the instance-down alert selects on the job");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusRuleHasExactlyTheAlertsOfDeploy() throws Exception {
        GenericKubernetesResource rule = custom("PrometheusRule");
        Map<String, Object> spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
        Map<String, Object> alerts = new Yaml().load(Files.readString(Path.of("deploy/prometheus/alerts.yml")));
        assertEquals(alerts.get("groups"), spec.get("groups"),
                "k8s/base/prometheusrule.yaml differs from deploy/prometheus/alerts.yml: run k8s/base/generate-prometheusrule.sh");
        assertTrue(((List<?>) alerts.get("groups")).size() > 0);
    }

    @Test
    void theDashboardConfigMapIsTheDashboard() throws Exception {
        assertEquals(Files.readString(Path.of("deploy/grafana/policyrec-dashboard.json")),
                Files.readString(BASE.resolve("policyrec-dashboard.json")),
                "k8s/base/policyrec-dashboard.json differs from deploy/grafana: run k8s/base/generate-prometheusrule.sh");
    }
}
