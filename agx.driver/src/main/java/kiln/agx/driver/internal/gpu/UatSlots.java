package kiln.agx.driver.internal.gpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;

/**
 * The UAT contexts user VMs run in ({@code Uat::bind}): slot 0 is the kernel's; a VM takes a
 * free slot from 1 at its first submission and keeps it until it is gone (Kiln keeps slots
 * sticky per VM; the real driver also lends them LRU). Binding writes the TTBAT entry (ttb0 = the
 * VM's root, ttb1 invalid: user contexts see no kernel half) and flushes the ASID. With every
 * slot taken, binding answers EBUSY. Thread-safe.
 */
public final class UatSlots {
    private final MemorySegment ttbat;
    private final long ttbatOffset;
    private final Silicon silicon;
    private final Vm[] owners = new Vm[HwConfig.UAT_CONTEXTS];
    private boolean poweredOff;

    UatSlots(Silicon silicon, PhysicalMemory memory) {
        this.silicon = silicon;
        long pa = silicon.reservedRegion(ReservedRegion.TTBS).physicalAddress();
        this.ttbat = memory.frame(pa);
        this.ttbatOffset = pa & (UatFormat.PAGE_BYTES - 1);
    }

    /** The slot of {@code vm}, binding it now if it has none. */
    public synchronized int bind(Vm vm) throws DrmException {
        if (vm.slot() >= 0) {
            return vm.slot();
        }
        for (int slot = 1; slot < owners.length; slot++) {
            if (owners[slot] == null) {
                owners[slot] = vm;
                ttbat.set(ValueLayout.JAVA_LONG_UNALIGNED, ttbatOffset + slot * (long) UatFormat.TTBAT_ENTRY_BYTES,
                        UatFormat.ttb(vm.root(), slot));
                ttbat.set(ValueLayout.JAVA_LONG_UNALIGNED, ttbatOffset + slot * (long) UatFormat.TTBAT_ENTRY_BYTES + 8, 0L);
                silicon.uat().invalidateAsid(slot);
                vm.boundTo(slot, this);
                return slot;
            }
        }
        throw DrmException.quiet(Errno.EBUSY, "all " + (owners.length - 1) + " user UAT contexts are in use");
    }

    /** The GPU powered off: VMs that outlive it release their slots without touching the hardware. */
    synchronized void powerOff() {
        poweredOff = true;
    }

    /** User slots bound to a VM now. */
    public synchronized int inUse() {
        int n = 0;
        for (Vm vm : owners) {
            n += vm == null ? 0 : 1;
        }
        return n;
    }

    /** Frees {@code vm}'s slot: its TTBAT entry is cleared and its ASID flushed. */
    synchronized void release(Vm vm, int slot) {
        if (owners[slot] != vm) {
            return;
        }
        owners[slot] = null;
        if (poweredOff) { // the TTBAT went with the silicon
            return;
        }
        ttbat.set(ValueLayout.JAVA_LONG_UNALIGNED, ttbatOffset + slot * (long) UatFormat.TTBAT_ENTRY_BYTES, 0L);
        silicon.uat().invalidateAsid(slot);
    }
}
