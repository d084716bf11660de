package io.policyrec.deploy;

import io.policyrec.config.PolicyrecConfig;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The configuration the service reads, as property names and as the environment variables that set them. */
final class ConfigNames {
    /** Standard (non-policyrec) settings the manifests may set. */
    static final Set<String> OTHER_ENV = Set.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_REDIS_HOSTS", "QUARKUS_PROFILE",
            "OMP_NUM_THREADS", "QUARKUS_HTTP_PORT", "JAVA_OPTS_APPEND");

    private ConfigNames() {
    }

    /** Every policyrec.* property of the config mapping (map entries as their key-less prefix). */
    static Set<String> properties() {
        Set<String> names = new TreeSet<>();
        collect(PolicyrecConfig.class, "policyrec", names);
        return names;
    }

    private static void collect(Class<?> type, String prefix, Set<String> names) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            WithName renamed = m.getAnnotation(WithName.class);
            String name = prefix + "." + (renamed != null ? renamed.value() : kebab(m.getName()));
            Class<?> ret = m.getReturnType();
            if (Map.class.isAssignableFrom(ret)) {
                names.add(name + ".*");
            } else if (ret.isInterface() && ret.getName().startsWith("io.policyrec")) {
                collect(ret, name, names);
            } else {
                names.add(name);
            }
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The environment variable that sets a property (MicroProfile Config's rule). */
    static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static boolean knownEnv(String variable) {
        return OTHER_ENV.contains(variable) || properties().stream().map(ConfigNames::env).anyMatch(variable::equals);
    }

    /** A property of src/main/resources/application.properties (no profile). */
    static String applicationProperty(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("src/main/resources/application.properties"))) {
            if (line.startsWith(name + "=")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }
}
