package kiln.agx.driver.internal.uapi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.Vm;
import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.mm.RangeAllocatorFactory;

/**
 * {@code VM_CREATE} (a new address space; its id, from 1, per file) and {@code VM_DESTROY}
 * (ENOENT for an id the file does not have; every mapping in it goes).
 */
final class VmIoctls {
    private final AgxGpu gpu;
    private final RangeAllocatorFactory ranges;

    VmIoctls(AgxGpu gpu, RangeAllocatorFactory ranges) {
        this.gpu = gpu;
        this.ranges = ranges;
    }

    int create(DrmFile file, MemorySegment arg) throws DrmException {
        Args.mbz(arg, UapiStruct.VM_CREATE.offset("pad"), "pad");
        int id = file.driverPrivate(AsahiFile.class).addVm(
                vmId -> new Vm(vmId, gpu.memory(), gpu.hwConfig().uatOutputAddressBits(), ranges, gpu.silicon().uat()));
        arg.set(ValueLayout.JAVA_INT_UNALIGNED, UapiStruct.VM_CREATE.offset("vm_id"), id);
        return 0;
    }

    int destroy(DrmFile file, MemorySegment arg) throws DrmException {
        Args.mbz(arg, UapiStruct.VM_DESTROY.offset("pad"), "pad");
        file.driverPrivate(AsahiFile.class).removeVm(Args.u32(arg, UapiStruct.VM_DESTROY.offset("vm_id"))).close();
        return 0;
    }
}
