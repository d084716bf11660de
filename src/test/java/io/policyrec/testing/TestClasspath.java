package io.policyrec.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test classpath as Maven resolved it (written to target/test-classpath.txt during the build),
 * for the servers the tests start as separate JVMs.
 */
public final class TestClasspath {
    private TestClasspath() {
    }

    public static String get() {
        Path file = Path.of("target", "test-classpath.txt");
        try {
            return Files.readString(file).trim() + java.io.File.pathSeparator + Path.of("target", "test-classes")
                    .toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("missing " + file + ": run the tests through Maven", e);
        }
    }
}
