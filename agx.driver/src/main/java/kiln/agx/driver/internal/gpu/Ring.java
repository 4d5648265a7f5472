package kiln.agx.driver.internal.gpu;

import java.lang.foreign.MemorySegment;
import java.util.List;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.drm.api.DrmException;

/**
 * The driver's end of one channel ring: the {@code CHANNEL_RING} descriptor InitData points at,
 * its {@code CHANNEL_STATE} and the entries. On AP-to-firmware channels the driver owns the write
 * index ({@link #produce}); on firmware-to-AP channels it owns the read index ({@link #poll}).
 * One slot stays empty, so equal indices mean empty. Callers serialise producers (and consumers)
 * of one ring.
 */
public final class Ring {
    private final MemorySegment state;
    private final MemorySegment entries;
    private final int count;
    private final long entryBytes;
    private final AbiField read;
    private final AbiField write;
    private final List<KernelVm.Alloc> allocations;

    /** Allocates the state and {@code count} entries of {@code message} and fills the descriptor {@code ring}. */
    public Ring(KernelVm vm, FirmwareAbi abi, FwObject ring, int count, AbiType message) throws DrmException {
        this.count = count;
        this.entryBytes = abi.sizeOf(message);
        KernelVm.Alloc s = vm.allocate(abi.sizeOf(AbiType.CHANNEL_STATE));
        KernelVm.Alloc e = vm.allocate(count * entryBytes);
        this.state = s.cpu();
        this.entries = e.cpu();
        this.read = abi.field(AbiType.CHANNEL_STATE, "read_ptr");
        this.write = abi.field(AbiType.CHANNEL_STATE, "write_ptr");
        this.allocations = List.of(s, e);
        ring.set("state", s.va()).set("ring", e.va()).set("entries", count);
    }

    /** The kernel memory this ring allocated (its state and entries). */
    public List<KernelVm.Alloc> allocations() {
        return allocations;
    }

    /**
     * The next free entry, zeroed, for the caller to fill before {@link #commit}; null when the
     * firmware has not consumed enough yet.
     */
    public MemorySegment produce() {
        int w = (int) write.get(state, 0);
        if ((w + 1) % count == (int) read.get(state, 0)) {
            return null;
        }
        MemorySegment slot = entries.asSlice(w * entryBytes, entryBytes);
        slot.fill((byte) 0);
        return slot;
    }

    /** Whether the reader has consumed every entry written. */
    public boolean drained() {
        return (int) read.get(state, 0) == (int) write.get(state, 0);
    }

    /** Publishes the entry {@link #produce} gave. */
    public void commit() {
        write.set(state, 0, ((int) write.get(state, 0) + 1) % count);
    }

    /** The next entry the firmware wrote, or null; {@link #consume} it when done. */
    public MemorySegment poll() {
        int r = (int) read.get(state, 0);
        if (r == (int) write.get(state, 0)) {
            return null;
        }
        return entries.asSlice((r % count) * entryBytes, entryBytes);
    }

    public void consume() {
        read.set(state, 0, ((int) read.get(state, 0) + 1) % count);
    }
}
