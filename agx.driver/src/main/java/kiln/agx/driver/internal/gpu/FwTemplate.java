package kiln.agx.driver.internal.gpu;

import java.lang.foreign.MemorySegment;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.drm.api.DrmException;

/**
 * The image of a group of firmware structures that a hot path builds many times (every compute
 * command, for one): the structures are laid out once in one block, the fields that never change
 * are written once into the image, and each build copies the image into one kernel allocation and
 * patches the few fields that differ through {@link Slot}s resolved up front. Field names are
 * looked up only while the template is made, never per build. Fields the bound ABI lacks are
 * absent slots that write nothing, as with {@link FwObject}.
 *
 * <p>Not thread-safe while being built; immutable (and shareable) once {@link #seal}ed.
 */
final class FwTemplate {
    /** Structures in the block start on this boundary. */
    private static final long ALIGN = 16;
    private final FirmwareAbi abi;
    private long size;
    private MemorySegment image;

    FwTemplate(FirmwareAbi abi) {
        this.abi = abi;
    }

    /** One field of one structure in the block, writable in any copy of it. */
    record Slot(AbiField field, long base) {
        void set(MemorySegment block, long value) {
            field.set(block, base, value);
        }
    }

    /** Reserves room for {@code bytes} and returns its offset in the block. */
    long reserve(long bytes) {
        long at = (size + ALIGN - 1) & -ALIGN;
        size = at + bytes;
        return at;
    }

    /** Reserves one {@code type} and returns its offset in the block. */
    long add(AbiType type) {
        return reserve(abi.sizeOf(type));
    }

    /** The offset of the structure embedded in {@code field} of the {@code type} at {@code base}. */
    long inner(long base, AbiType type, String field) {
        return base + abi.field(type, field).offset(0);
    }

    /** The field {@code name} of the {@code type} at {@code base}. */
    Slot slot(long base, AbiType type, String name) {
        return new Slot(abi.field(type, name), base);
    }

    /** Writes a field that is the same in every build. */
    FwTemplate constant(long base, AbiType type, String name, long value) {
        if (image == null) {
            image = MemorySegment.ofArray(new byte[Math.toIntExact(size)]);
        }
        slot(base, type, name).set(image, value);
        return this;
    }

    /** Ends the layout: no structure may be added after the first constant or the seal. */
    FwTemplate seal() {
        if (image == null) {
            image = MemorySegment.ofArray(new byte[Math.toIntExact(size)]);
        }
        return this;
    }

    long size() {
        return size;
    }

    /** A fresh copy of the image in kernel memory; the caller patches and later frees it. */
    KernelVm.Alloc build(KernelVm vm) throws DrmException {
        KernelVm.Alloc block = vm.allocate(image.byteSize(), false); // the copy covers every byte
        MemorySegment.copy(image, 0, block.cpu(), 0, image.byteSize());
        return block;
    }
}
