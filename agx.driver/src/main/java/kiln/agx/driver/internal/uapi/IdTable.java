package kiln.agx.driver.internal.uapi;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * A file's objects of one kind (VMs, queues) by the ids the UAPI hands out: from 1, never
 * reused while the file lives; an unknown id is ENOENT. Not thread-safe: its owner's lock guards it.
 */
final class IdTable<T> {
    /** Makes the object for a new id. */
    interface Factory<T> {
        T create(int id) throws DrmException;
    }

    private final String kind;
    private final Map<Integer, T> byId = new TreeMap<>();
    private int next = 1;

    IdTable(String kind) {
        this.kind = kind;
    }

    /** A new object under the next id; the id is used only if the factory succeeds. */
    int add(Factory<T> factory) throws DrmException {
        int id = next;
        byId.put(id, factory.create(id));
        next++;
        return id;
    }

    T get(int id) throws DrmException {
        T t = byId.get(id);
        if (t == null) {
            throw DrmException.quiet(Errno.ENOENT, "no " + kind + " " + id);
        }
        return t;
    }

    T remove(int id) throws DrmException {
        T t = byId.remove(id);
        if (t == null) {
            throw DrmException.quiet(Errno.ENOENT, "no " + kind + " " + id);
        }
        return t;
    }

    /** The objects now, in id order (a live view: copy before the lock is let go). */
    Collection<T> values() {
        return byId.values();
    }

    void clear() {
        byId.clear();
    }
}
