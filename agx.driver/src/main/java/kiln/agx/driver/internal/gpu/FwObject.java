package kiln.agx.driver.internal.gpu;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.drm.api.DrmException;

/**
 * A firmware structure the driver allocated in kernel memory, written through the bound ABI by
 * field name. For probe-time construction; hot paths resolve their {@code AbiField}s once.
 * Fields the ABI lacks are skipped, so one writer serves every firmware version.
 */
public final class FwObject {
    private final FirmwareAbi abi;
    private final AbiType type;
    private final KernelVm.Alloc alloc;

    private FwObject(FirmwareAbi abi, AbiType type, KernelVm.Alloc alloc) {
        this.abi = abi;
        this.type = type;
        this.alloc = alloc;
    }

    /** A zeroed {@code type} in kernel memory. */
    public static FwObject allocate(KernelVm vm, FirmwareAbi abi, AbiType type) throws DrmException {
        return new FwObject(abi, type, vm.allocate(abi.sizeOf(type)));
    }

    /** A {@code type} over memory the caller allocated. */
    public static FwObject at(FirmwareAbi abi, AbiType type, KernelVm.Alloc alloc) {
        return new FwObject(abi, type, alloc);
    }

    /** The structure at {@code offset} inside {@code outer} (an embedded field). */
    public FwObject inner(String field, int index, AbiType nested) {
        long offset = abi.field(type, field).offset(index);
        return new FwObject(abi, nested, new KernelVm.Alloc(alloc.va() + offset,
                alloc.cpu().asSlice(offset, abi.sizeOf(nested))));
    }

    public FwObject inner(String field, AbiType nested) {
        return inner(field, 0, nested);
    }

    public FwObject set(String field, long value) {
        abi.field(type, field).set(alloc.cpu(), 0, value);
        return this;
    }

    public FwObject set(String field, int index, long value) {
        abi.field(type, field).set(alloc.cpu(), 0, index, value);
        return this;
    }

    public FwObject setFloat(String field, float value) {
        abi.field(type, field).setFloat(alloc.cpu(), 0, value);
        return this;
    }

    public long get(String field) {
        return abi.field(type, field).get(alloc.cpu(), 0);
    }

    /** The structure's GPU VA. */
    public long va() {
        return alloc.va();
    }

    public KernelVm.Alloc alloc() {
        return alloc;
    }

    public AbiType type() {
        return type;
    }
}
