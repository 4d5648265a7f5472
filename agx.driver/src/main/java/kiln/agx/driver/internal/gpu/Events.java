package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.FirmwareProtocol.EVENT_SLOTS;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * The 128 event stamps ({@code event.rs}): each slot has a driver-visible stamp and a
 * firmware-private one in kernel memory, and belongs to at most one work queue. The firmware
 * flags a slot when its stamp advanced; {@link #signal} hands the flag to the owner. Kiln keeps a
 * slot with its work queue for the queue's life (the real driver lends slots to busy queues);
 * when all are taken, creating a work queue answers EBUSY. Thread-safe.
 */
public final class Events {
    private final KernelVm.Alloc stamps;
    private final KernelVm.Alloc fwStamps;
    private final long stampBytes;
    private final long fwStampBytes;
    private final WorkQueue[] owners = new WorkQueue[EVENT_SLOTS];

    Events(KernelVm vm, FirmwareAbi abi) throws DrmException {
        stampBytes = abi.sizeOf(AbiType.STAMP);
        fwStampBytes = abi.sizeOf(AbiType.FW_STAMP);
        stamps = vm.allocate(EVENT_SLOTS * stampBytes);
        fwStamps = vm.allocate(EVENT_SLOTS * fwStampBytes);
    }

    synchronized int acquire(WorkQueue owner) throws DrmException {
        for (int slot = 0; slot < EVENT_SLOTS; slot++) {
            if (owners[slot] == null) {
                owners[slot] = owner;
                return slot;
            }
        }
        throw DrmException.quiet(Errno.EBUSY, "all " + EVENT_SLOTS + " event slots are in use");
    }

    /** Slots owned by a work queue now. */
    public synchronized int inUse() {
        int n = 0;
        for (WorkQueue q : owners) {
            n += q == null ? 0 : 1;
        }
        return n;
    }

    synchronized void release(int slot) {
        owners[slot] = null;
    }

    long stampVa(int slot) {
        return stamps.va() + slot * stampBytes;
    }

    long fwStampVa(int slot) {
        return fwStamps.va() + slot * fwStampBytes;
    }

    /** The driver-visible stamp of {@code slot}. */
    int stamp(int slot) {
        return stamps.cpu().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, slot * stampBytes);
    }

    /** Sets both stamps of {@code slot} to {@code value} (a swap, for commands it killed). */
    void setStamps(int slot, int value) {
        stamps.cpu().set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, slot * stampBytes, value);
        fwStamps.cpu().set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, slot * fwStampBytes, value);
    }

    /** Hands each flagged slot to its work queue. */
    void signal(long[] firing) {
        for (int word = 0; word < firing.length; word++) {
            long bits = firing[word];
            while (bits != 0) {
                int slot = word * 32 + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                WorkQueue owner;
                synchronized (this) {
                    owner = slot < EVENT_SLOTS ? owners[slot] : null;
                }
                if (owner != null) {
                    owner.signal();
                }
            }
        }
    }

    /** The work queue owning {@code slot}, or null. */
    synchronized WorkQueue owner(int slot) {
        return owners[slot];
    }

    /** Every work queue that owns a slot. */
    synchronized java.util.List<WorkQueue> queues() {
        java.util.List<WorkQueue> out = new java.util.ArrayList<>();
        for (WorkQueue q : owners) {
            if (q != null) {
                out.add(q);
            }
        }
        return out;
    }
}
