package kiln.drm.impl.syncobj;

import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/** One file's syncobj handles ({@code syncobj_idr}): lowest free from 1, under the monitor. */
public final class SyncobjHandles {
    /** Index = handle; slot 0 is never used. */
    private final List<Syncobj> slots = new ArrayList<>();
    {
        slots.add(null);
    }
    private boolean released;

    synchronized int insert(Syncobj syncobj) throws DrmException {
        if (released) {
            throw new DrmException(Errno.EBADF, "file is closed");
        }
        for (int h = 1; h < slots.size(); h++) {
            if (slots.get(h) == null) {
                slots.set(h, syncobj);
                return h;
            }
        }
        slots.add(syncobj);
        return slots.size() - 1;
    }

    synchronized Syncobj get(int handle) {
        return handle > 0 && handle < slots.size() ? slots.get(handle) : null;
    }

    synchronized Syncobj remove(int handle) {
        Syncobj syncobj = get(handle);
        if (syncobj != null) {
            slots.set(handle, null);
        }
        return syncobj;
    }

    synchronized int count() {
        int count = 0;
        for (Syncobj s : slots) {
            if (s != null) {
                count++;
            }
        }
        return count;
    }

    /** The file is closing ({@code drm_syncobj_release}). */
    public synchronized void release() {
        released = true;
        slots.clear();
        slots.add(null);
    }
}
