package io.policyrec.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server: the one on the PATH if there is one, else the Linux binary that the
 * embedded-redis jar ships, run as its own process so tests can stop and restart it.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final String BUNDLED = "redis-server-6.2.6-v5-linux-amd64";
    private final Path dir;
    private final int port;
    private final List<String> options;
    private Process process;

    public RedisServerProcess(Path dir) {
        this(dir, List.of());
    }

    /** With further options of redis-server's (a later option overrides an earlier one). */
    public RedisServerProcess(Path dir, List<String> options) {
        this.dir = dir;
        this.port = Ports.free();
        this.options = options;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public synchronized RedisServerProcess start() {
        try {
            Files.createDirectories(dir);
            List<String> command = new java.util.ArrayList<>(List.of(binary().toString(), "--port",
                    Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                    dir.toAbsolutePath().toString()));
            command.addAll(options);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
            Ports.awaitListening(port, 20_000, process, "redis-server");
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server", e);
        }
    }

    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    static Path binary() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path extracted = Path.of("target", "redis", BUNDLED).toAbsolutePath();
        if (!Files.isExecutable(extracted)) {
            Files.createDirectories(extracted.getParent());
            try (InputStream in = RedisServerProcess.class.getClassLoader().getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IOException("no redis-server on the PATH and no " + BUNDLED + " on the classpath");
                }
                Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
            }
            extracted.toFile().setExecutable(true);
        }
        return extracted;
    }
}
