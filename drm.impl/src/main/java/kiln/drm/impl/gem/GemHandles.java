package kiln.drm.impl.gem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.file.DrmFile;

/**
 * One file's GEM handles ({@code object_idr}) and PRIME table. Handles index an array, lowest free
 * from 1, as {@code idr_alloc(1, 0)}; changes take the monitor, lookups read the array without it
 * (acquire loads of published slots) and take their reference with "get unless zero", so a lookup
 * racing a close either gets the object or ENOENT.
 */
public final class GemHandles {
    static final int MAX_HANDLES = 1 << 20;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ShmemObj[].class);

    private volatile ShmemObj[] slots = new ShmemObj[16];
    private final Map<DmaBuf, Integer> prime = new HashMap<>();
    /** Serializes PRIME imports into this file, so one dma-buf never gets two handles. */
    final Object importLock = new Object();
    private int lowestFree = 1;
    private int count;
    private boolean released;

    /** The object for a handle with a new reference, or null. */
    ShmemObj lookup(int handle) {
        ShmemObj[] table = slots;
        if (handle <= 0 || handle >= table.length) {
            return null;
        }
        ShmemObj object = (ShmemObj) SLOT.getAcquire(table, handle);
        return object != null && object.tryGet() ? object : null;
    }

    /** Installs the caller's reference under the lowest free handle. */
    synchronized int insert(ShmemObj object) throws DrmException {
        if (released) {
            throw new DrmException(Errno.EBADF, "file is closed");
        }
        ShmemObj[] table = slots;
        int handle = lowestFree;
        while (handle < table.length && table[handle] != null) {
            handle++;
        }
        if (handle >= MAX_HANDLES) {
            throw new DrmException(Errno.ENOSPC, "too many GEM handles");
        }
        if (handle >= table.length) {
            table = Arrays.copyOf(table, Math.min(MAX_HANDLES, table.length * 2));
            slots = table;
        }
        SLOT.setRelease(table, handle, object);
        lowestFree = handle + 1;
        count++;
        return handle;
    }

    /** Removes a handle; returns its object (whose reference the caller now owns), or null. */
    synchronized ShmemObj remove(int handle) {
        ShmemObj[] table = slots;
        if (handle <= 0 || handle >= table.length || table[handle] == null) {
            return null;
        }
        ShmemObj object = table[handle];
        SLOT.setRelease(table, handle, null);
        lowestFree = Math.min(lowestFree, handle);
        count--;
        return object;
    }

    /** Whether some handle of this file refers to {@code object} ({@code drm_vma_node_is_allowed}). */
    synchronized boolean holds(ShmemObj object) {
        for (ShmemObj o : slots) {
            if (o == object) {
                return true;
            }
        }
        return false;
    }

    synchronized int count() {
        return count;
    }

    synchronized Integer primeHandle(DmaBuf buf) {
        return prime.get(buf);
    }

    /**
     * Records that {@code handle} is {@code buf} here; the entry holds the dma-buf (the caller's
     * acquire). False if {@code buf} has an entry already or the file is closing (an export racing
     * the close): then the caller releases what it acquired, which nothing else would.
     */
    synchronized boolean primeAdd(DmaBuf buf, int handle) {
        if (released || prime.containsKey(buf)) {
            return false;
        }
        prime.put(buf, handle);
        return true;
    }

    /** The dma-buf entry of a handle being closed, removed, for the caller to release. */
    synchronized DmaBuf primeRemove(int handle) {
        for (var it = prime.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (e.getValue() == handle) {
                it.remove();
                return e.getKey();
            }
        }
        return null;
    }

    /** The file is closing ({@code drm_gem_release}): every handle's close hook, then its reference. */
    public void releaseHandles(DrmFile file) {
        List<ShmemObj> objects = new ArrayList<>();
        synchronized (this) {
            released = true;
            ShmemObj[] table = slots;
            for (int h = 1; h < table.length; h++) {
                if (table[h] != null) {
                    objects.add(table[h]);
                    SLOT.setRelease(table, h, null);
                }
            }
            count = 0;
        }
        for (ShmemObj object : objects) {
            GemService.closed(object, file);
        }
    }

    /** The last step of closing a file ({@code drm_prime_destroy_file_private}). */
    public void releasePrime() {
        List<DmaBuf> bufs;
        synchronized (this) {
            bufs = new ArrayList<>(prime.keySet());
            prime.clear();
        }
        for (DmaBuf buf : bufs) {
            buf.release();
        }
    }
}
