package io.policyrec.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of three masters (no replicas) on this machine: three redis-server processes
 * in cluster mode with an append-only file, so that a master restarted keeps its data and its place,
 * as a master on a disk would. The slots are split evenly, by hand (no redis-cli needed).
 */
public final class RedisCluster implements AutoCloseable {
    static final int SLOTS = 16384;
    private final List<RedisServerProcess> masters = new ArrayList<>();

    public RedisCluster(Path dir, int masters) {
        for (int i = 0; i < masters; i++) {
            this.masters.add(new RedisServerProcess(dir.resolve("node" + i), List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                    "--appendonly", "yes", "--cluster-require-full-coverage", "no")));
        }
    }

    public RedisCluster start() throws Exception {
        masters.forEach(RedisServerProcess::start);
        for (int i = 0; i < masters.size(); i++) {
            List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = first(i); slot < first(i + 1); slot++) {
                addSlots.add(Integer.toString(slot));
            }
            call(i, addSlots.toArray(String[]::new));
        }
        for (int i = 1; i < masters.size(); i++) {
            call(0, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(masters.get(i).port()));
        }
        awaitHealthy();
        return this;
    }

    /** The nodes as the Quarkus Redis client takes them (quarkus.redis.hosts). */
    public String hosts() {
        return masters.stream().map(RedisServerProcess::url).collect(Collectors.joining(","));
    }

    public int size() {
        return masters.size();
    }

    /** Which master holds the key. */
    public int masterOf(String key) throws IOException {
        int slot = Integer.parseInt(call(0, "CLUSTER", "KEYSLOT", key));
        for (int i = 0; i < masters.size(); i++) {
            if (slot < first(i + 1)) {
                return i;
            }
        }
        throw new IllegalStateException("slot " + slot);
    }

    /** Stops one master (it writes its append-only file) and starts it again on its port and files. */
    public void restart(int master) throws Exception {
        masters.get(master).stop();
        masters.get(master).start();
        awaitHealthy();
    }

    /** Keys in one master's keyspace. */
    public long keys(int master) throws IOException {
        return Long.parseLong(call(master, "DBSIZE"));
    }

    private int first(int master) {
        return master * SLOTS / masters.size();
    }

    private void awaitHealthy() throws Exception {
        Poll.until(() -> {
            for (int i = 0; i < masters.size(); i++) {
                String info = call(i, "CLUSTER", "INFO");
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + masters.size())) {
                    return false;
                }
            }
            return true;
        }, 30_000, "the cluster of " + masters.size() + " masters is up");
    }

    /** One command in RESP; the reply as text (a simple or bulk string, or an integer). */
    String call(int master, String... args) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", masters.get(master).port())) {
            StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                request.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a)
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String line = line(in);
            switch (line.charAt(0)) {
                case '+', ':' -> {
                    return line.substring(1);
                }
                case '$' -> {
                    int length = Integer.parseInt(line.substring(1));
                    return length < 0 ? null : new String(in.readNBytes(length + 2), StandardCharsets.UTF_8).trim();
                }
                default -> throw new IOException("redis " + String.join(" ", args).substring(0,
                        Math.min(40, String.join(" ", args).length())) + ": " + line);
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        masters.forEach(RedisServerProcess::stop);
    }
}
