package io.policyrec.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The embedded service with an admin key and two client keys. */
public class SecuredProfile implements QuarkusTestProfile {
    public static final String ADMIN = "admin-secret-1";
    public static final String CLIENT = "client-secret-1";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("policyrec.security.admin-key", ADMIN,
                "policyrec.security.client-keys", CLIENT + ",client-secret-2");
    }
}
