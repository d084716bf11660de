package io.policyrec.loadtest;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** --key value options, with the keys a command reads checked against the ones given. */
public final class Args {
    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();

    private Args(Map<String, String> values) {
        this.values = values;
    }

    public static Args parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got '" + a + "'");
            }
            String key = a.substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(key, args[++i]);
            } else {
                values.put(key, "true");
            }
        }
        return new Args(values);
    }

    public boolean has(String key) {
        read.add(key);
        return values.containsKey(key);
    }

    public String get(String key, String fallback) {
        read.add(key);
        return values.getOrDefault(key, fallback);
    }

    public int getInt(String key, int fallback) {
        return Integer.parseInt(get(key, Integer.toString(fallback)));
    }

    public long getLong(String key, long fallback) {
        return Long.parseLong(get(key, Long.toString(fallback)));
    }

    public double getDouble(String key, double fallback) {
        return Double.parseDouble(get(key, Double.toString(fallback)));
    }

    public List<String> getList(String key, String fallback) {
        return List.of(get(key, fallback).split(","));
    }

    /** Fails on options no command read: a typo must not silently fall back to a default. */
    public void checkAllRead() {
        for (String key : values.keySet()) {
            if (!read.contains(key) && !key.equals("help")) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }
    }
}
