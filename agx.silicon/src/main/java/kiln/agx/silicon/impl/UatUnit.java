package kiln.agx.silicon.impl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.hw.FaultReason;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatPermissions;
import kiln.agx.api.silicon.GpuFault;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.Uat;
import kiln.agx.api.silicon.UatAgent;
import kiln.drm.api.memory.PhysicalMemory;

/**
 * The UAT: table walks in physical memory, a shared TLB keyed by (context, page), and fault
 * latching. Invalidations remove entries from the shared TLB and then bump {@link #generation()},
 * which tells the execution units' micro-TLBs to drop everything they hold.
 */
final class UatUnit implements Uat {
    private static final long VPN_MASK = (1L << 50) - 1;
    private static final ValueLayout.OfLong ENTRY = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final PhysicalMemory memory;
    private final long ttbatAddress;
    private final long outputMask;
    private final Registers registers;
    private final Map<Long, TlbEntry> tlb = new ConcurrentHashMap<>();
    private volatile long generation;
    private volatile boolean injectUserFault;
    // Writers of the generation are serialised by invalidation callers' own ordering; a lost
    // increment between two concurrent invalidations still changes the value, which is all a
    // reader needs.

    UatUnit(PhysicalMemory memory, long ttbatAddress, HwConfig hw, Registers registers) {
        this.memory = memory;
        this.ttbatAddress = ttbatAddress;
        this.outputMask = ((1L << hw.uatOutputAddressBits()) - 1) & ~(UatFormat.PAGE_BYTES - 1);
        this.registers = registers;
    }

    /** Changes whenever any cached translation may have been dropped. */
    long generation() {
        return generation;
    }

    private static long key(int slot, long va) {
        return (long) slot << 50 | (va >>> UatFormat.PAGE_SHIFT) & VPN_MASK;
    }

    /**
     * Translates one access, from the TLB or by walking; throws {@link GpuFault} (latched) if
     * refused. The returned entry's frame may belong to freed memory if software forgot to
     * invalidate: callers turn the resulting {@link IllegalStateException} into {@link #staleFault}.
     */
    @Override
    public void injectUserFault() {
        injectUserFault = true;
        generation++; // cached translations go back through translate
    }

    TlbEntry translate(int slot, long va, boolean firmware, boolean write, int unit) {
        if (injectUserFault && slot > 0 && !firmware) {
            injectUserFault = false;
            throw fault(FaultReason.UNMAPPED, !write, 2, unit, slot, va);
        }
        long key = key(slot, va);
        TlbEntry entry = tlb.get(key);
        if (entry == null) {
            long before = generation;
            entry = walk(slot, va, write, unit);
            tlb.put(key, entry);
            // An invalidation that raced with the walk may have missed this entry; it bumped
            // the generation before removing anything, so drop what the walk found.
            if (generation != before) {
                tlb.remove(key, entry);
            }
        }
        return checked(entry, slot, va, firmware, write, unit);
    }

    /** {@code entry} if its permissions allow the access, else the permission fault (latched). */
    TlbEntry checked(TlbEntry entry, int slot, long va, boolean firmware, boolean write, int unit) {
        UatPermissions p = entry.permissions();
        boolean mayRead = p.canRead(firmware);
        boolean mayWrite = p.canWrite(firmware);
        if (write ? !mayWrite : !mayRead) {
            FaultReason reason = !mayRead && !mayWrite ? FaultReason.NO_ACCESS
                    : write ? FaultReason.READ_ONLY : FaultReason.WRITE_ONLY;
            throw fault(reason, !write, 2, unit, slot, va);
        }
        return entry;
    }

    private TlbEntry walk(int slot, long va, boolean write, int unit) {
        if (!UatFormat.isCanonical(va)) {
            throw fault(FaultReason.UNMAPPED, !write, 0, unit, slot, va);
        }
        long ttb = readPhysical(ttbatAddress + (long) slot * UatFormat.TTBAT_ENTRY_BYTES
                + (UatFormat.isUpperHalf(va) ? 8 : 0));
        if ((ttb & UatFormat.TTB_VALID) == 0) {
            throw fault(FaultReason.UNMAPPED, !write, 0, unit, slot, va);
        }
        long table = ttb & outputMask;
        for (int level = 0; level < UatFormat.LEVEL_SHIFTS.length; level++) {
            MemorySegment frame = memory.frame(table);
            if (frame == null) {
                throw fault(FaultReason.UNMAPPED, !write, level, unit, slot, va);
            }
            long entry;
            try {
                entry = frame.get(ENTRY, (long) UatFormat.index(va, level) * 8);
            } catch (IllegalStateException freedMeanwhile) {
                throw fault(FaultReason.UNMAPPED, !write, level, unit, slot, va);
            }
            if ((entry & UatFormat.TYPE_MASK) != UatFormat.TYPE_TABLE_OR_PAGE) {
                throw fault(FaultReason.UNMAPPED, !write, level, unit, slot, va);
            }
            if (level < UatFormat.LEVEL_SHIFTS.length - 1) {
                table = entry & outputMask;
                continue;
            }
            if ((entry & UatFormat.ACCESS_FLAG) == 0) {
                throw fault(FaultReason.AF_FAULT, !write, level, unit, slot, va);
            }
            MemorySegment page = memory.frame(entry & outputMask);
            if (page == null) {
                throw fault(FaultReason.UNMAPPED, !write, level, unit, slot, va);
            }
            return new TlbEntry(page, UatPermissions.decode(entry), (entry & UatFormat.NON_GLOBAL) == 0);
        }
        throw new AssertionError();
    }

    private long readPhysical(long address) {
        MemorySegment frame = memory.frame(address);
        if (frame == null) {
            return 0;
        }
        try {
            return frame.get(ENTRY, address & (UatFormat.PAGE_BYTES - 1));
        } catch (IllegalStateException freed) {
            return 0;
        }
    }

    /** The fault for an access through a translation whose page was freed without invalidation. */
    GpuFault staleFault(int slot, long va, boolean write, int unit) {
        return fault(FaultReason.UNMAPPED, !write, 2, unit, slot, va);
    }

    GpuFault fault(FaultReason reason, boolean read, int level, int unit, int slot, long va) {
        FaultInfo info = new FaultInfo(reason, read, 0, level, unit, slot, 0, va & 0xff_ffff_ffc0L);
        registers.latchFault(info.encode());
        return new GpuFault(info, va);
    }

    // Every invalidation bumps the generation before removing entries (so a concurrent walk
    // cannot re-insert a stale one unnoticed) and after (so micro-TLBs drop what they hold).

    @Override
    public void invalidateAll() {
        generation++;
        tlb.clear();
        generation++;
    }

    @Override
    public void invalidateAsid(int slot) {
        checkSlot(slot);
        generation++;
        tlb.entrySet().removeIf(e -> (e.getKey() >>> 50) == slot && !e.getValue().global());
        generation++;
    }

    @Override
    public void invalidateRange(int slot, long va, long bytes) {
        checkSlot(slot);
        if (bytes <= 0) {
            return;
        }
        long first = (va >>> UatFormat.PAGE_SHIFT) & VPN_MASK;
        long pages = ((va + bytes - 1) >>> UatFormat.PAGE_SHIFT) - (va >>> UatFormat.PAGE_SHIFT) + 1;
        generation++;
        for (Iterator<Map.Entry<Long, TlbEntry>> it = tlb.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, TlbEntry> e = it.next();
            long vpn = e.getKey() & VPN_MASK;
            boolean inRange = vpn - first >= 0 && vpn - first < pages;
            if (inRange && ((e.getKey() >>> 50) == slot || e.getValue().global())) {
                it.remove();
            }
        }
        generation++;
    }

    @Override
    public GpuMemory context(int slot, UatAgent agent, int unit) {
        checkSlot(slot);
        if (unit < 0 || unit > 0xff) {
            throw new IllegalArgumentException("unit code " + unit);
        }
        return new ContextMemory(this, slot, agent == UatAgent.FIRMWARE, unit);
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= HwConfig.UAT_CONTEXTS) {
            throw new IllegalArgumentException("UAT context " + slot);
        }
    }
}
