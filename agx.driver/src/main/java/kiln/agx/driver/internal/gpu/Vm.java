package kiln.agx.driver.internal.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.Uat;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.gem.GemObject;
import kiln.drm.api.gem.SgEntry;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeAllocatorFactory;
import kiln.drm.api.mm.RangeNode;

/**
 * A GPU virtual address space ({@code mmu.rs} {@code Vm}): its own lower-half page table, a
 * drm_mm over the bindable window ({@code [VM_SHADER_START, VM_BIND_LIMIT)}) and its mappings.
 * A mapping reserves its exact range (ENOSPC when busy), writes the page-table entries, and on
 * removal clears them and invalidates the range in the TLB of the UAT slot the VM is bound to,
 * if any.
 *
 * <h2>Lifetime</h2>
 * A user mapping holds a reference to its GEM object from {@link #map} until it is removed, as
 * the real driver's mappings do: an object whose last handle closes while a bind of it is under
 * way keeps its pages while the GPU can reach them, and they never return to the pool (and to
 * another client) mapped. Jobs and queues {@link #use} the VM while they need it;
 * {@link #close} (VM_DESTROY, file close) removes every user mapping at once, but the kernel
 * windows a queue reserved ({@link #reserveKernel}: its TVB) stay until that queue removes them,
 * and the page tables and the UAT slot go only when the last user is done, as the real
 * {@code VmBind} keeps them. References are dropped outside the VM's lock. Thread-safe: one lock
 * per VM.
 */
public final class Vm implements AutoCloseable {
    /**
     * One object's pages mapped at a range, and who owns the mapping: a user mapping (a GEM
     * object, whose reference it holds) or a kernel window (its owner, {@code fileId} 0).
     */
    public record Mapping(Object object, long fileId, long va, long size, UatProt prot, RangeNode<Mapping> node) {
        boolean user() {
            return object instanceof GemObject;
        }
    }

    /**
     * The kernel-managed window of every VM (above what binds may reach, below the 39-bit lower
     * half's end): the driver maps the per-queue TVB heaps and tile maps here.
     */
    public static final long KERNEL_START = AsahiUapi.VM_BIND_LIMIT, KERNEL_END = 1L << 39;

    private final int id;
    private final UatPageTable table;
    private final RangeAllocator<Mapping> mm;
    private final Uat uat;
    private final List<Mapping> mappings = new ArrayList<>();
    private int slot = -1;
    private UatSlots slots;
    private int users;
    private boolean destroyed;

    public Vm(int id, PhysicalMemory memory, int outputAddressBits, RangeAllocatorFactory ranges, Uat uat)
            throws DrmException {
        this.id = id;
        this.table = new UatPageTable(memory, outputAddressBits);
        this.mm = ranges.create("asahi Vm " + id, AsahiUapi.VM_SHADER_START, KERNEL_END - AsahiUapi.VM_SHADER_START);
        this.uat = uat;
    }

    public int id() {
        return id;
    }

    /** The page table's root (for the TTBAT when the VM is bound to a slot). */
    public long root() {
        return table.root();
    }

    /**
     * Maps {@code object}'s pages ({@code sg}) at {@code va}, taking a reference to it that the
     * mapping holds until it is removed. EBUSY if the object is mapped in this VM already, ENOSPC
     * if any of the range is taken: checked under the VM's lock with the mapping, so two racing
     * binds cannot both pass; on any error nothing changes.
     */
    public Mapping map(GemObject object, long fileId, List<SgEntry> sg, long va, long size, UatProt prot)
            throws DrmException {
        object.get();
        boolean mapped = false;
        try {
            Mapping m = mapHeld(object, fileId, sg, va, size, prot);
            mapped = true;
            return m;
        } finally {
            if (!mapped) {
                object.put();
            }
        }
    }

    private synchronized Mapping mapHeld(GemObject object, long fileId, List<SgEntry> sg, long va, long size,
            UatProt prot) throws DrmException {
        if (destroyed) {
            throw DrmException.quiet(Errno.ENOENT, "VM " + id + " destroyed");
        }
        if (maps(object)) {
            throw DrmException.quiet(Errno.EBUSY, "object already mapped in VM " + id);
        }
        RangeNode<Mapping> node = mm.reserve(null, va, size, 0);
        Mapping m = new Mapping(object, fileId, va, size, prot, node);
        try {
            long at = va;
            for (SgEntry e : sg) {
                table.mapPhysical(at, e.dmaAddress(), e.length(), prot);
                at += e.length();
            }
        } catch (DrmException | RuntimeException e) {
            table.unmap(va, size);
            mm.remove(node);
            throw e;
        }
        mappings.add(m);
        return m;
    }

    /**
     * Reserves {@code size} bytes of the kernel window with nothing mapped yet; its start. Pages
     * are mapped into it with {@link #mapInto}; the whole window goes with {@link #unmap}.
     */
    public synchronized Mapping reserveKernel(Object owner, long size, UatProt prot) throws DrmException {
        if (destroyed) {
            throw DrmException.quiet(Errno.ENOENT, "VM " + id + " destroyed");
        }
        RangeNode<Mapping> node = mm.insertInRange(null, size, kiln.agx.api.hw.UatFormat.PAGE_BYTES, 0, KERNEL_START,
                KERNEL_END, kiln.drm.api.mm.InsertMode.BEST);
        Mapping m = new Mapping(owner, 0, node.start(), size, prot, node);
        mappings.add(m);
        return m;
    }

    /** Maps {@code pages} at {@code va} inside a window {@link #reserveKernel} gave. */
    public synchronized void mapInto(Mapping window, long va, kiln.drm.api.memory.PhysicalPages pages) throws DrmException {
        if (va < window.va() || va + pages.size() > window.va() + window.size()) {
            throw new IllegalArgumentException("outside the window");
        }
        table.map(va, pages, window.prot());
    }

    /** Removes every mapping {@code which} selects; how many went. */
    public int unmap(Predicate<Mapping> which) throws DrmException {
        List<Mapping> gone = new ArrayList<>();
        try {
            synchronized (this) {
                for (var it = mappings.iterator(); it.hasNext();) {
                    Mapping m = it.next();
                    if (which.test(m)) {
                        it.remove();
                        gone.add(m);
                        remove(m);
                    }
                }
            }
        } finally {
            release(gone);
        }
        return gone.size();
    }

    /** Drops the references removed user mappings held (outside the lock: a last put frees). */
    private static void release(List<Mapping> gone) {
        for (Mapping m : gone) {
            if (m.object() instanceof GemObject object) {
                object.put();
            }
        }
    }

    private void remove(Mapping m) throws DrmException {
        table.unmap(m.va(), m.size());
        if (slot >= 0) {
            uat.invalidateRange(slot, m.va(), m.size());
        }
        mm.remove(m.node());
    }

    /** The mappings now, in creation order. */
    public synchronized List<Mapping> mappings() {
        return List.copyOf(mappings);
    }

    /** Whether {@code object} is mapped in this VM. */
    public synchronized boolean maps(Object object) {
        return mappings.stream().anyMatch(m -> m.object() == object);
    }

    /** The UAT slot the VM is bound to, or -1. */
    public synchronized int slot() {
        return slot;
    }

    synchronized void boundTo(int newSlot, UatSlots owner) {
        this.slot = newSlot;
        this.slots = owner;
    }

    /** A job starts using the VM; ENOENT if it was destroyed. */
    public synchronized void use() throws DrmException {
        if (destroyed) {
            throw DrmException.quiet(Errno.ENOENT, "VM " + id + " destroyed");
        }
        users++;
    }

    /** A job is done with the VM. */
    public synchronized void unuse() {
        users--;
        if (destroyed && users == 0) {
            free();
        }
    }

    /**
     * Destroys the VM: every user mapping goes now; the kernel windows of queues still using it
     * stay with them; tables and slot go once nothing uses the VM.
     */
    @Override
    public void close() {
        List<Mapping> gone = new ArrayList<>();
        try {
            synchronized (this) {
                if (destroyed) {
                    return;
                }
                destroyed = true;
                for (var it = mappings.iterator(); it.hasNext();) {
                    Mapping m = it.next();
                    if (m.user()) {
                        it.remove();
                        gone.add(m);
                        remove(m);
                    }
                }
                if (users == 0) {
                    free();
                }
            }
        } catch (DrmException e) {
            throw new IllegalStateException("unmapping in VM " + id, e);
        } finally {
            release(gone);
        }
    }

    private void free() {
        if (slots != null) {
            slots.release(this, slot);
            slot = -1;
        }
        table.close();
    }
}
