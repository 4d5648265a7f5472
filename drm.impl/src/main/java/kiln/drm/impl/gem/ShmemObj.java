package kiln.drm.impl.gem;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.gem.GemObjectFuncs;
import kiln.drm.api.gem.SgEntry;
import kiln.drm.api.gem.ShmemMapping;
import kiln.drm.api.gem.ShmemObject;

/**
 * A GEM-shmem object. The reference count is a lock-free counter; the transition to zero frees
 * exactly once: the driver's free hook, the mmap offset, then the pages (or the reference on the
 * object an import shares pages with).
 */
final class ShmemObj implements ShmemObject {
    private static final System.Logger LOG = System.getLogger(ShmemObj.class.getName());
    private static final VarHandle REFCOUNT;

    static {
        try {
            REFCOUNT = MethodHandles.lookup().findVarHandle(ShmemObj.class, "refcount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GemService gem;
    private final DrmDevice device;
    private final long size;
    private final GemObjectFuncs funcs;
    private final Object driverObject;
    /** For a foreign import: the exporter's object, whose pages this one shares (referenced). */
    private final ShmemObj shared;
    @SuppressWarnings("unused") // accessed through REFCOUNT
    private volatile int refcount = 1;
    private volatile boolean exportable = true;
    private Pages pages;
    long mmapOffset = -1;
    DmaBuf dmaBuf;

    ShmemObj(GemService gem, DrmDevice device, long size, GemObjectFuncs funcs, Object driverObject, ShmemObj shared) {
        this.gem = gem;
        this.device = device;
        this.size = size;
        this.funcs = funcs;
        this.driverObject = driverObject;
        this.shared = shared;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public DrmDevice device() {
        return device;
    }

    GemObjectFuncs funcs() {
        return funcs;
    }

    @Override
    public ShmemObj get() {
        for (;;) {
            int count = refcount;
            if (count <= 0) {
                throw new IllegalStateException("get on a freed GEM object " + this);
            }
            if (REFCOUNT.compareAndSet(this, count, count + 1)) {
                return this;
            }
        }
    }

    /** {@code kref_get_unless_zero}: a reference unless the object is already being freed. */
    boolean tryGet() {
        for (;;) {
            int count = refcount;
            if (count <= 0) {
                return false;
            }
            if (REFCOUNT.compareAndSet(this, count, count + 1)) {
                return true;
            }
        }
    }

    @Override
    public void put() {
        int count = (int) REFCOUNT.getAndAdd(this, -1) - 1;
        if (count == 0) {
            free();
        } else if (count < 0) {
            throw new IllegalStateException("put on a freed GEM object " + this);
        }
    }

    private void free() {
        if (funcs != null) {
            try {
                funcs.free(this);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "GEM free hook failed on " + this, e);
            }
        }
        gem.freed(this);
        Pages backing;
        synchronized (this) {
            backing = pages;
            pages = null;
        }
        if (shared != null) {
            shared.put();
        } else if (backing != null) {
            backing.close();
        }
    }

    @Override
    public int refcount() {
        return refcount;
    }

    @Override
    public boolean isFreed() {
        return refcount <= 0;
    }

    @Override
    public boolean isExportable() {
        return exportable;
    }

    @Override
    public void setExportable(boolean exportable) {
        this.exportable = exportable;
    }

    @Override
    public long mmapOffset() throws DrmException {
        return gem.mmapOffset(this);
    }

    @Override
    public Object driverObject() {
        return driverObject;
    }

    /** The pages, allocated on first use ({@code drm_gem_shmem_get_pages}). */
    synchronized Pages pages() throws DrmException {
        if (isFreed()) {
            throw new DrmException(Errno.ENODEV, this + " was freed");
        }
        if (shared != null) {
            return shared.pages();
        }
        if (pages == null) {
            pages = new Pages(gem.pool(), size);
        }
        return pages;
    }

    @Override
    public List<SgEntry> sgTable() throws DrmException {
        return pages().sgTable();
    }

    @Override
    public ShmemMapping vmap() throws DrmException {
        MemorySegment memory = pages().memory();
        get();
        return new VMap(this, memory);
    }

    @Override
    public synchronized boolean isResident() {
        return shared != null ? shared.isResident() : pages != null;
    }

    @Override
    public String toString() {
        return "gem@" + Integer.toHexString(System.identityHashCode(this)) + " (" + size + " bytes)";
    }

    private static final class VMap implements ShmemMapping {
        private final ShmemObj owner;
        private final MemorySegment memory;
        private boolean closed;

        VMap(ShmemObj owner, MemorySegment memory) {
            this.owner = owner;
            this.memory = memory;
        }

        @Override
        public synchronized MemorySegment memory() {
            if (closed) {
                throw new IllegalStateException("vmap of " + owner + " was closed");
            }
            return memory;
        }

        @Override
        public ShmemObject owner() {
            return owner;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            owner.put();
        }
    }
}
