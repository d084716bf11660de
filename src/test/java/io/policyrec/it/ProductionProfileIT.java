package io.policyrec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The production profile refuses to start without an admin key, and starts with one. */
class ProductionProfileIT {

    @Test
    void productionNeedsAnAdminKey() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "production-");
        Path log = dir.resolve("service.log");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new ServiceProcess(log,
                Map.of("quarkus.profile", "production", "policyrec.snapshot.dir", dir.resolve("a").toString()))
                .start());
        assertTrue(refused.getMessage().contains("exited"), refused.getMessage());
        assertTrue(Files.readString(log).contains("policyrec.security.admin-key is not set"));
        try (ServiceProcess ok = new ServiceProcess(dir.resolve("ok.log"), Map.of("quarkus.profile", "production",
                "policyrec.security.admin-key", "k-123456", "policyrec.snapshot.dir", dir.resolve("b").toString()))
                .start()) {
            assertEquals(401, ok.send("PUT", "/policies/x", "{\"contextDimension\":2,\"actions\":2}").statusCode());
            assertTrue(!Files.readString(dir.resolve("ok.log")).contains("k-123456"), "the key is never logged");
        }
    }
}
