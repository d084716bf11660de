package io.policyrec.snapshot;

/** What a store tells every instance: a policy has a new latest snapshot, was rolled back, or is gone. */
public record Announcement(String name, long version, long incarnation, Kind kind) {

    public enum Kind { SAVED, ROLLBACK, DELETED }

    String encode() {
        return kind.name() + " " + version + " " + incarnation + " " + name;
    }

    static Announcement decode(String message) {
        String[] p = message.split(" ", 4);
        if (p.length != 4) {
            throw new IllegalArgumentException("bad announcement: " + message);
        }
        return new Announcement(p[3], Long.parseLong(p[1]), Long.parseLong(p[2]), Kind.valueOf(p[0]));
    }
}
