package kiln.drm.impl.gem;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.gem.GemObject;
import kiln.drm.api.gem.GemObjectFuncs;
import kiln.drm.api.gem.ShmemObject;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.impl.device.DeviceFile;
import kiln.drm.impl.mm.DrmMm;

/**
 * The GEM service. Fake mmap offsets come from a drm_mm over the kernel's file-page-offset
 * window ({@code DRM_FILE_PAGE_OFFSET_START/SIZE}, in 16 KiB pages), as
 * {@code drm_vma_offset_manager} does.
 */
@Component(service = {GemManager.class, GemService.class})
public final class GemService implements GemManager {
    private static final System.Logger LOG = System.getLogger(GemService.class.getName());
    private static final int PAGE_SHIFT = 14;
    static final long FILE_PAGE_OFFSET_START = (0xFFFFFFFFL >>> PAGE_SHIFT) + 1;
    static final long FILE_PAGE_OFFSET_SIZE = (0xFFFFFFFFL >>> PAGE_SHIFT) * 256;

    private final PagePool pool;
    private final DrmMm<ShmemObj> offsets;
    private final ConcurrentHashMap<Long, RangeNode<ShmemObj>> byOffset = new ConcurrentHashMap<>();

    /** Every object not yet freed, for {@code drm:gem}. */
    private final java.util.Set<ShmemObj> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The objects alive now (a snapshot; each may be freed by the time it is read). */
    public java.util.List<ShmemObject> objects() {
        return java.util.List.copyOf(live);
    }

    @Activate
    public GemService(@Reference PagePool pool) {
        this.pool = pool;
        try {
            this.offsets = new DrmMm<>("gem-mmap", FILE_PAGE_OFFSET_START, FILE_PAGE_OFFSET_SIZE, null);
        } catch (DrmException e) {
            throw new IllegalStateException(e);
        }
    }

    PagePool pool() {
        return pool;
    }

    @Override
    public ShmemObject createShmem(DrmDevice device, long size, GemObjectFuncs funcs, Object driverObject)
            throws DrmException {
        if (size <= 0 || size > Long.MAX_VALUE - ShmemObject.PAGE_SIZE) {
            throw new DrmException(Errno.EINVAL, "GEM object size " + size);
        }
        long rounded = (size + ShmemObject.PAGE_SIZE - 1) & -ShmemObject.PAGE_SIZE;
        if (rounded / ShmemObject.PAGE_SIZE > Integer.MAX_VALUE) {
            throw new DrmException(Errno.ENOMEM, "GEM object of " + size + " bytes");
        }
        ShmemObj obj = new ShmemObj(this, device, rounded, funcs, driverObject, null);
        live.add(obj);
        return obj;
    }

    @Override
    public int createHandle(DrmFile file, GemObject object) throws DrmException {
        ShmemObj obj = own(object);
        obj.get();
        return install(handles(file), file, obj);
    }

    /** {@code drm_gem_handle_create_tail}: the open hook first, then the handle owns {@code obj}'s reference. */
    private static int install(GemHandles handles, DrmFile file, ShmemObj obj) throws DrmException {
        try {
            if (obj.funcs() != null) {
                obj.funcs().open(obj, file);
            }
        } catch (DrmException | RuntimeException e) {
            obj.put();
            throw e instanceof DrmException d ? d : new DrmException(Errno.EIO, "GEM open hook failed: " + e, e);
        }
        try {
            return handles.insert(obj);
        } catch (DrmException e) {
            closed(obj, file);
            throw e;
        }
    }

    @Override
    public GemObject lookup(DrmFile file, int handle) throws DrmException {
        ShmemObj obj = handles(file).lookup(handle);
        if (obj == null) {
            throw DrmException.quiet(Errno.ENOENT, "no GEM handle " + handle);
        }
        return obj;
    }

    @Override
    public ShmemObject lookupShmem(DrmFile file, int handle) throws DrmException {
        return (ShmemObject) lookup(file, handle);
    }

    @Override
    public void closeHandle(DrmFile file, int handle) throws DrmException {
        GemHandles handles = handles(file);
        ShmemObj obj = handles.remove(handle);
        if (obj == null) {
            throw DrmException.quiet(Errno.EINVAL, "no GEM handle " + handle);
        }
        DmaBuf buf = handles.primeRemove(handle);
        closed(obj, file);
        if (buf != null) {
            buf.release();
        }
    }

    /** A handle went: the close hook, then the handle's reference. */
    static void closed(ShmemObj obj, DrmFile file) {
        if (obj.funcs() != null) {
            try {
                obj.funcs().close(obj, file);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "GEM close hook failed on " + obj, e);
            }
        }
        obj.put();
    }

    @Override
    public int handleCount(DrmFile file) {
        return handles(file).count();
    }

    @Override
    public int exportHandle(DrmFile file, int handle, int flags) throws DrmException {
        if ((flags & ~(DRM_CLOEXEC | DRM_RDWR)) != 0) {
            throw new DrmException(Errno.EINVAL, "PRIME flags 0x" + Integer.toHexString(flags));
        }
        GemHandles handles = handles(file);
        ShmemObj obj = handles.lookup(handle);
        if (obj == null) {
            throw DrmException.quiet(Errno.ENOENT, "no GEM handle " + handle);
        }
        try {
            if (!obj.isExportable()) {
                throw new DrmException(Errno.EINVAL, obj + " is not exportable");
            }
            DmaBuf buf;
            synchronized (obj) {
                buf = obj.dmaBuf;
                if (buf == null || buf.isDead()) {
                    buf = new DmaBuf(obj.get());
                    obj.dmaBuf = buf;
                }
            }
            int fd;
            try {
                fd = file.caller().install(buf);
            } catch (DrmException e) {
                buf.abandonIfUnheld();
                throw e;
            }
            if (handles.primeHandle(buf) == null && buf.acquire() && !handles.primeAdd(buf, handle)) {
                buf.release();
            }
            return fd;
        } finally {
            obj.put();
        }
    }

    @Override
    public int importFd(DrmFile file, int fd) throws DrmException {
        DmaBuf buf = file.caller().lookup(fd, DmaBuf.class);
        GemHandles handles = handles(file);
        synchronized (handles.importLock) {
            Integer existing = handles.primeHandle(buf);
            if (existing != null) {
                return existing;
            }
            return importNew(handles, file, buf);
        }
    }

    private int importNew(GemHandles handles, DrmFile file, DmaBuf buf) throws DrmException {
        ShmemObj obj;
        if (buf.object.device() == file.device()) {
            // importing our own export takes a reference on the object itself
            obj = buf.object.get();
        } else {
            ShmemObj source = buf.object.get();
            obj = new ShmemObj(this, file.device(), source.size(), null, null, source);
            live.add(obj);
        }
        int handle = install(handles, file, obj);
        if (buf.acquire() && !handles.primeAdd(buf, handle)) {
            buf.release();
        }
        return handle;
    }

    /** The fake offset of an object, allocated once. */
    long mmapOffset(ShmemObj obj) throws DrmException {
        synchronized (obj) {
            if (obj.mmapOffset < 0) {
                RangeNode<ShmemObj> node = offsets.insert(obj, obj.size() >>> PAGE_SHIFT, 0, 0, InsertMode.BEST);
                obj.mmapOffset = node.start() << PAGE_SHIFT;
                byOffset.put(obj.mmapOffset, node);
            }
            return obj.mmapOffset;
        }
    }

    /** A CPU mapping of an object into a client: its memory, and what munmap must do. */
    public record Mapped(MemorySegment memory, Runnable unmap, java.util.Optional<kiln.drm.api.memory.BackingFile> backing) {
    }

    /**
     * {@code drm_gem_mmap}: the object at {@code offset}, if {@code file} may map it, with a
     * reference that the mapping's {@code unmap} drops.
     */
    public Mapped mmap(DeviceFile file, long length, long offset) throws DrmException {
        RangeNode<ShmemObj> node = byOffset.get(offset);
        if (node == null || !node.value().tryGet()) {
            throw new DrmException(Errno.EINVAL, "no GEM object at mmap offset 0x" + Long.toHexString(offset));
        }
        ShmemObj obj = node.value();
        try {
            if (length <= 0 || length > obj.size()) {
                throw new DrmException(Errno.EINVAL, "mmap of " + length + " bytes of " + obj);
            }
            if (!file.gem.holds(obj)) {
                throw new DrmException(Errno.EACCES, file + " holds no handle to " + obj);
            }
            return new Mapped(obj.pages().memory().asSlice(0, length), obj::put, obj.pages().backing());
        } catch (DrmException e) {
            obj.put();
            throw e;
        }
    }

    /** The object's last reference went: its offset is free again. */
    void freed(ShmemObj obj) {
        live.remove(obj);
        RangeNode<ShmemObj> node;
        synchronized (obj) {
            node = obj.mmapOffset < 0 ? null : byOffset.remove(obj.mmapOffset);
        }
        if (node != null) {
            try {
                offsets.remove(node);
            } catch (DrmException e) {
                LOG.log(System.Logger.Level.ERROR, "mmap offset of " + obj + " not released", e);
            }
        }
    }

    private static GemHandles handles(DrmFile file) {
        return ((DeviceFile) file).gem;
    }

    private static ShmemObj own(GemObject object) {
        if (object instanceof ShmemObj obj) {
            return obj;
        }
        throw new IllegalArgumentException("not a Kiln GEM object: " + object);
    }
}
