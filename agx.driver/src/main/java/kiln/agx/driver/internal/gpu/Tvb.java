package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;

import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.RenderFormats;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalPages;

/**
 * A render queue's tiled vertex buffer ({@code buffer.rs}): the heap the tiler bins into and the
 * tile map, both in the VM's kernel window, and the buffer-manager info the firmware reads.
 *
 * <h2>Growth</h2>
 * The heap is a window of {@link #MAX_BLOCKS} blocks of {@link #BLOCK_BYTES} (the real
 * 128 KiB blocks) mapped {@link #INITIAL_BLOCKS} at first (the real {@code initial_tvb_size}).
 * After a render that overflowed (the firmware counted a partial render), the next render first
 * maps twice the blocks (Kiln's rule: the real {@code auto_grow} works from statistics the
 * simulated firmware does not keep) and queues an {@code InitBuffer} with the new count. It never
 * shrinks; at the maximum, renders go on with partial renders. Used by one queue's submissions,
 * which run one at a time.
 */
public final class Tvb implements AutoCloseable {
    public static final long BLOCK_BYTES = 128 * 1024;
    public static final int INITIAL_BLOCKS = 8;
    public static final int MAX_BLOCKS = 512;
    /** Tile map for the largest target. */
    private static final long TILEMAP_BYTES = RenderFormats.tileMapBytes(RenderFormats.MAX_TARGET_PIXELS,
            RenderFormats.MAX_TARGET_PIXELS);

    private final AgxGpu gpu;
    private final Vm vm;
    private final Vm.Mapping heap;
    private final Vm.Mapping tileMap;
    private volatile FwObject info;
    private final List<PhysicalPages> pages = new ArrayList<>();
    private int blocks;
    private long overflowsSeen;
    private boolean growNext;

    public Tvb(AgxGpu gpu, Vm vm) throws DrmException {
        this.gpu = gpu;
        this.vm = vm;
        this.heap = vm.reserveKernel(this, MAX_BLOCKS * BLOCK_BYTES, UatProt.GPU_SHARED_RW);
        this.tileMap = vm.reserveKernel(this, TILEMAP_BYTES, UatProt.GPU_SHARED_RW);
        FwObject made = null;
        try {
            PhysicalPages map = gpu.memory().allocate(TILEMAP_BYTES);
            pages.add(map);
            vm.mapInto(tileMap, tileMap.va(), map);
            made = FwObject.allocate(gpu.kernel(), gpu.abi(), BUFFER_MGR_INFO).set("heap_base", heap.va())
                    .set("block_size", BLOCK_BYTES);
            this.info = made;
            mapBlocks(INITIAL_BLOCKS);
            info.set("block_count", blocks);
        } catch (DrmException | RuntimeException e) {
            vm.unmap(m -> m.object() == this);
            pages.forEach(PhysicalPages::close);
            if (made != null) {
                gpu.kernel().free(made.alloc());
            }
            throw e;
        }
    }

    private void mapBlocks(int target) throws DrmException {
        if (target <= blocks) {
            return;
        }
        PhysicalPages more = gpu.memory().allocate((target - blocks) * BLOCK_BYTES);
        pages.add(more);
        vm.mapInto(heap, heap.va() + blocks * BLOCK_BYTES, more);
        blocks = target;
    }

    public long infoVa() {
        return info.va();
    }

    public long tileMapVa() {
        return tileMap.va();
    }

    public long sizeBytes() {
        return blocks * BLOCK_BYTES;
    }

    public long usedBytes() {
        return info.get("used_bytes");
    }

    /** Overflows since the last call (the firmware's count is cumulative); asks for growth if any. */
    public synchronized long takeOverflows() {
        long now = info.get("overflows");
        long fresh = now - overflowsSeen;
        overflowsSeen = now;
        if (fresh > 0 && blocks < MAX_BLOCKS) {
            growNext = true;
        }
        return fresh;
    }

    /**
     * The {@code InitBuffer} to queue before the next vertex pass if the heap should grow, else
     * null; part of {@code replay}'s command.
     */
    public synchronized WorkQueue.Command growIfAsked(int vmSlot, Replay replay) throws DrmException {
        if (!growNext) {
            return null;
        }
        growNext = false;
        int target = Math.min(MAX_BLOCKS, blocks * 2);
        try {
            mapBlocks(target);
        } catch (DrmException e) {
            if (e.errno() != Errno.ENOMEM) {
                throw e;
            }
            return null; // no memory to grow: render on with partial renders
        }
        return initBuffer(vmSlot, replay);
    }

    /** An {@code InitBuffer} with the heap's size now, in the GPU's current ABI (a swap replays a growth with it). */
    public synchronized WorkQueue.Command initBuffer(int vmSlot, Replay replay) throws DrmException {
        FwObject init = FwObject.allocate(gpu.kernel(), gpu.abi(), INIT_BUFFER).set("tag", 6).set("vm_slot", vmSlot)
                .set("block_count", blocks).set("buffer", info.va());
        return new WorkQueue.Command(init.va(), 0, null, List.of(init.alloc()), replay);
    }

    /**
     * Swap: the buffer-manager info anew in the GPU's (new) ABI with the same heap and blocks; the
     * firmware's counters start again from zero.
     */
    public synchronized void rebuild() throws DrmException {
        FwObject next = FwObject.allocate(gpu.kernel(), gpu.abi(), BUFFER_MGR_INFO).set("heap_base", heap.va())
                .set("block_size", BLOCK_BYTES).set("block_count", blocks);
        gpu.kernel().free(info.alloc());
        info = next;
        overflowsSeen = 0;
    }

    /** Unmaps the heap and tile map from the VM, frees their pages and the buffer-manager info. */
    @Override
    public void close() {
        try {
            vm.unmap(m -> m.object() == this);
        } catch (DrmException e) {
            throw new IllegalStateException(e);
        }
        pages.forEach(PhysicalPages::close);
        pages.clear();
        gpu.kernel().free(info.alloc());
    }
}
