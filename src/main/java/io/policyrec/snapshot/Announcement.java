package io.policyrec.snapshot;

/**
 * What a store tells every instance: a policy has a new latest snapshot, was rolled back, or is gone.
 *
 * @param rollbacks for a rollback, how many the policy has had with it (its rollback marker's
 *                  count: an instance that applied this one has heard up to it); 0 otherwise
 */
public record Announcement(String name, long version, long incarnation, Kind kind, long rollbacks) {

    public enum Kind { SAVED, ROLLBACK, DELETED }

    public Announcement(String name, long version, long incarnation, Kind kind) {
        this(name, version, incarnation, kind, 0);
    }

    /** The wire form; a rollback's count goes after its kind ("ROLLBACK/3 ..."), added by the script. */
    String encode() {
        return kind.name() + " " + version + " " + incarnation + " " + name;
    }

    static Announcement decode(String message) {
        String[] p = message.split(" ", 4);
        if (p.length != 4) {
            throw new IllegalArgumentException("bad announcement: " + message);
        }
        int slash = p[0].indexOf('/');
        Kind kind = Kind.valueOf(slash < 0 ? p[0] : p[0].substring(0, slash));
        long rollbacks = slash < 0 ? 0 : Long.parseLong(p[0].substring(slash + 1));
        return new Announcement(p[3], Long.parseLong(p[1]), Long.parseLong(p[2]), kind, rollbacks);
    }
}
