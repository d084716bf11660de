package io.policyrec.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed set of actions of a policy: either K anonymous actions identified by their index, or K
 * named actions. Inside the engine an action is always its index; ids exist only at the edges.
 */
public final class ActionSet {
    private final int size;
    private final List<String> ids;
    private final Map<String, Integer> indexById;

    private ActionSet(int size, List<String> ids) {
        this.size = size;
        this.ids = ids;
        this.indexById = new HashMap<>();
        if (ids != null) {
            for (int i = 0; i < ids.size(); i++) {
                indexById.put(ids.get(i), i);
            }
        }
    }

    public static ActionSet ofCount(int count) {
        return new ActionSet(count, null);
    }

    public static ActionSet ofIds(List<String> ids) {
        return new ActionSet(ids.size(), List.copyOf(ids));
    }

    public int size() {
        return size;
    }

    public boolean named() {
        return ids != null;
    }

    /** The ids in index order, or null for anonymous actions. */
    public List<String> ids() {
        return ids;
    }

    /** The id clients see: the string id, or the integer index. */
    public Object id(int index) {
        return ids == null ? (Object) index : ids.get(index);
    }

    /** The index of a client-supplied id, or -1 if no action has that id. */
    public int indexOf(Object id) {
        if (ids != null) {
            Integer index = id instanceof String s ? indexById.get(s) : null;
            return index == null ? -1 : index;
        }
        if (id instanceof Integer i && i >= 0 && i < size) {
            return i;
        }
        if (id instanceof Long l && l >= 0 && l < size) {
            return l.intValue();
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActionSet other && other.size == size && java.util.Objects.equals(other.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * size + (ids == null ? 0 : ids.hashCode());
    }

    @Override
    public String toString() {
        return ids == null ? Integer.toString(size) : ids.toString();
    }
}
