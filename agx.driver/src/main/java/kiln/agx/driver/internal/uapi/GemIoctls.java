package kiln.agx.driver.internal.uapi;

import static kiln.agx.api.uapi.AsahiUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.agx.api.hw.UatProt;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.AgxObject;
import kiln.agx.driver.internal.gpu.Vm;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.gem.GemObject;
import kiln.drm.api.gem.GemObjectFuncs;
import kiln.drm.api.gem.ShmemObject;

/**
 * {@code GEM_CREATE}, {@code GEM_MMAP_OFFSET} and {@code GEM_BIND}, with the real driver's
 * checks in its order ({@code file.rs}).
 *
 * <h2>Binding</h2>
 * BIND maps a whole object ({@code range == size}, {@code offset == 0}) at a 16 KiB-aligned
 * {@code addr} inside the shader window or the user window, readable and/or writable by the GPU;
 * one mapping per object per VM (EBUSY); a VM-private object only in its own VM (EINVAL); a busy
 * range is ENOSPC. UNBIND removes the object's mapping at exactly {@code [addr, addr + range)}
 * (ENOENT if there is none) — Kiln's documented improvement on the RFC's ENOTSUPP. UNBIND_ALL
 * (every other field 0) removes the object's mappings in {@code vm_id}, or with {@code vm_id} 0
 * every mapping of it this file made. Closing the last handle a file has to an object drops
 * that file's mappings of it. A mapping holds its own reference to the object ({@link Vm}), so a
 * BIND racing the last GEM_CLOSE leaves a mapping of a live object (dropped with its VM), never
 * one of freed pages.
 */
final class GemIoctls implements GemObjectFuncs {
    private static final UapiStruct CREATE = UapiStruct.GEM_CREATE;
    private static final UapiStruct MMAP = UapiStruct.GEM_MMAP_OFFSET;
    private static final UapiStruct BIND = UapiStruct.GEM_BIND;
    private final GemManager gem;

    GemIoctls(GemManager gem) {
        this.gem = gem;
    }

    int create(DrmFile file, MemorySegment arg) throws DrmException {
        int flags = Args.u32(arg, CREATE.offset("flags"));
        int vmId = Args.u32(arg, CREATE.offset("vm_id"));
        long size = Args.u64(arg, CREATE.offset("size"));
        if ((flags & ~(GEM_WRITEBACK | GEM_VM_PRIVATE)) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "unknown GEM flags 0x" + Integer.toHexString(flags));
        }
        if (vmId != 0 && (flags & GEM_VM_PRIVATE) == 0) {
            throw DrmException.quiet(Errno.EINVAL, "vm_id without ASAHI_GEM_VM_PRIVATE");
        }
        AsahiFile f = file.driverPrivate(AsahiFile.class);
        if ((flags & GEM_VM_PRIVATE) != 0) {
            f.vm(vmId);
        }
        if (size == 0) {
            throw DrmException.quiet(Errno.EINVAL, "zero-sized object");
        }
        long rounded = (size + VM_PAGE_SIZE - 1) & -(long) VM_PAGE_SIZE;
        if (rounded <= 0) {
            throw DrmException.quiet(Errno.EINVAL, "size 0x" + Long.toHexString(size));
        }
        ShmemObject object = gem.createShmem(file.device(), rounded, this, new AgxObject(flags, vmId, f.id()));
        try {
            if ((flags & GEM_VM_PRIVATE) != 0) {
                object.setExportable(false);
            }
            int handle = gem.createHandle(file, object);
            arg.set(ValueLayout.JAVA_INT_UNALIGNED, CREATE.offset("handle"), handle);
            return 0;
        } finally {
            object.put();
        }
    }

    int mmapOffset(DrmFile file, MemorySegment arg) throws DrmException {
        Args.mbz(arg, MMAP.offset("flags"), "flags");
        GemObject object = gem.lookup(file, Args.u32(arg, MMAP.offset("handle")));
        try {
            arg.set(ValueLayout.JAVA_LONG_UNALIGNED, MMAP.offset("offset"), object.mmapOffset());
            return 0;
        } finally {
            object.put();
        }
    }

    int bind(DrmFile file, MemorySegment arg) throws DrmException {
        int op = Args.u32(arg, BIND.offset("op"));
        int flags = Args.u32(arg, BIND.offset("flags"));
        int handle = Args.u32(arg, BIND.offset("handle"));
        int vmId = Args.u32(arg, BIND.offset("vm_id"));
        long offset = Args.u64(arg, BIND.offset("offset"));
        long range = Args.u64(arg, BIND.offset("range"));
        long addr = Args.u64(arg, BIND.offset("addr"));
        AsahiFile f = file.driverPrivate(AsahiFile.class);
        return switch (op) {
            case BIND_OP_BIND -> bind(file, f, flags, handle, vmId, offset, range, addr);
            case BIND_OP_UNBIND -> unbind(file, f, flags, handle, vmId, offset, range, addr);
            case BIND_OP_UNBIND_ALL -> unbindAll(file, f, flags, handle, vmId, offset, range, addr);
            default -> throw DrmException.quiet(Errno.EINVAL, "unknown bind op " + op);
        };
    }

    private int bind(DrmFile file, AsahiFile f, int flags, int handle, int vmId, long offset, long range, long addr)
            throws DrmException {
        if (offset != 0) {
            throw DrmException.quiet(Errno.EINVAL, "bind offset is not supported yet");
        }
        if (((addr | range) & (VM_PAGE_SIZE - 1)) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "addr and range must be 16 KiB aligned");
        }
        if ((flags & ~(BIND_READ | BIND_WRITE)) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "unknown bind flags 0x" + Integer.toHexString(flags));
        }
        if ((flags & (BIND_READ | BIND_WRITE)) == 0) {
            throw DrmException.quiet(Errno.EINVAL, "a bind must allow reading or writing");
        }
        ShmemObject object = gem.lookupShmem(file, handle);
        try {
            if (range != object.size()) {
                throw DrmException.quiet(Errno.EINVAL, "only whole-object binds (range 0x" + Long.toHexString(range)
                        + ", object 0x" + Long.toHexString(object.size()) + ")");
            }
            long end = addr + range;
            boolean inShader = addr >= VM_SHADER_START && end - 1 <= VM_SHADER_END && end > addr;
            boolean inUser = addr >= VM_USER_START && end - 1 <= VM_USER_END && end > addr;
            if (!inShader && !inUser || Long.compareUnsigned(end, VM_BIND_LIMIT) > 0) {
                throw DrmException.quiet(Errno.EINVAL, "range 0x" + Long.toHexString(addr) + "+0x" + Long.toHexString(range)
                        + " is outside the shader and user windows");
            }
            Vm vm = f.vm(vmId);
            UatProt prot = (flags & (BIND_READ | BIND_WRITE)) == (BIND_READ | BIND_WRITE) ? UatProt.GPU_SHARED_RW
                    : (flags & BIND_READ) != 0 ? UatProt.GPU_SHARED_RO : UatProt.GPU_SHARED_WO;
            AgxObject agx = (AgxObject) object.driverObject();
            if ((agx.flags() & GEM_VM_PRIVATE) != 0 && (agx.privateVm() != vmId || agx.fileId() != f.id())) {
                throw DrmException.quiet(Errno.EINVAL, "a VM-private object binds only in its own VM");
            }
            vm.map(object, f.id(), object.sgTable(), addr, range, prot);
            return 0;
        } finally {
            object.put();
        }
    }

    private int unbind(DrmFile file, AsahiFile f, int flags, int handle, int vmId, long offset, long range, long addr)
            throws DrmException {
        if (flags != 0 || offset != 0) {
            throw DrmException.quiet(Errno.EINVAL, "UNBIND takes no flags or offset");
        }
        GemObject object = gem.lookup(file, handle);
        try {
            Vm vm = f.vm(vmId);
            if (vm.unmap(m -> m.object() == object && m.va() == addr && m.size() == range) == 0) {
                throw DrmException.quiet(Errno.ENOENT, "no mapping of handle " + handle + " at 0x" + Long.toHexString(addr));
            }
            return 0;
        } finally {
            object.put();
        }
    }

    private int unbindAll(DrmFile file, AsahiFile f, int flags, int handle, int vmId, long offset, long range, long addr)
            throws DrmException {
        if (flags != 0 || offset != 0 || range != 0 || addr != 0) {
            throw DrmException.quiet(Errno.EINVAL, "UNBIND_ALL takes only a handle and a VM");
        }
        GemObject object = gem.lookup(file, handle);
        try {
            if (vmId != 0) {
                f.vm(vmId).unmap(m -> m.object() == object);
            } else {
                for (Vm vm : f.vms()) {
                    vm.unmap(m -> m.object() == object && m.fileId() == f.id());
                }
            }
            return 0;
        } finally {
            object.put();
        }
    }

    /** The file's last handle to {@code object} closed: its mappings by that file go. */
    @Override
    public void close(GemObject object, DrmFile file) {
        Object priv = file.driverPrivate();
        if (!(priv instanceof AsahiFile f)) {
            return;
        }
        for (Vm vm : f.vms()) {
            try {
                vm.unmap(m -> m.object() == object && m.fileId() == f.id());
            } catch (DrmException e) {
                throw new IllegalStateException("dropping mappings of " + object, e);
            }
        }
    }
}
