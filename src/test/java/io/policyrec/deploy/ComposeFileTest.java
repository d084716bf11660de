package io.policyrec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose cannot run here (no Docker engine): its structure is checked instead. */
class ComposeFileTest {
    static final Path DEPLOY = Path.of("deploy");

    @SuppressWarnings("unchecked")
    static Map<String, Object> services() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        return (Map<String, Object>) compose.get("services");
    }

    @Test
    void theStackHasEveryPart() throws Exception {
        assertTrue(services().keySet().containsAll(List.of("kafka", "redis", "service-a", "service-b", "prometheus",
                "grafana")), services().keySet().toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMountedFileExists() throws Exception {
        for (Map.Entry<String, Object> e : services().entrySet()) {
            Map<String, Object> service = (Map<String, Object>) e.getValue();
            for (Object volume : (List<Object>) service.getOrDefault("volumes", List.of())) {
                String host = volume.toString().split(":")[0];
                if (host.startsWith(".")) {
                    assertTrue(Files.exists(DEPLOY.resolve(host)), e.getKey() + " mounts missing " + host);
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceInstancesMatchTheApplicationConfiguration() throws Exception {
        String port = ConfigNames.applicationProperty("quarkus.http.port");
        for (String name : List.of("service-a", "service-b")) {
            Map<String, Object> service = (Map<String, Object>) services().get(name);
            Map<String, Object> env = (Map<String, Object>) service.get("environment");
            for (String key : env.keySet()) {
                assertTrue(ConfigNames.knownEnv(key), name + " sets " + key + ", which the service does not read");
            }
            assertEquals("kafka:9092", env.get("KAFKA_BOOTSTRAP_SERVERS"));
            assertEquals("redis://redis:6379", env.get("QUARKUS_REDIS_HOSTS"));
            assertEquals("production", env.get("QUARKUS_PROFILE"));
            assertTrue(env.containsKey("POLICYREC_SECURITY_ADMIN_KEY"), "the production profile needs an admin key");
            String mapping = ((List<Object>) service.get("ports")).get(0).toString();
            assertTrue(mapping.endsWith(":" + port), name + " publishes the service port " + port + ": " + mapping);
            assertTrue(service.get("healthcheck").toString().contains("/q/health/ready"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusAndGrafanaPointAtTheServices() throws Exception {
        Map<String, Object> prometheus = new Yaml().load(Files.readString(DEPLOY.resolve(
                "prometheus/compose-prometheus.yml")));
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
        assertEquals(ConfigNames.applicationProperty("quarkus.micrometer.export.prometheus.path"), job.get("metrics_path"));
        String targets = job.get("static_configs").toString();
        assertTrue(targets.contains("service-a:8080") && targets.contains("service-b:8080"), targets);
        Map<String, Object> datasource = new Yaml().load(Files.readString(DEPLOY.resolve(
                "grafana/provisioning/datasources/prometheus.yml")));
        String url = ((List<Map<String, Object>>) datasource.get("datasources")).get(0).get("url").toString();
        assertEquals("http://prometheus:9090", url, "the datasource is the compose service 'prometheus'");
        assertTrue(services().containsKey("prometheus"));
    }
}
