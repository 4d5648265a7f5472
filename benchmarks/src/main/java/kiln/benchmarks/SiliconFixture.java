package kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.g13.internal.T8103;
import kiln.agx.silicon.PageTables;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalPages;
import kiln.drm.impl.gem.PagePool;

/** A simulated M1 (t8103) in 256 MiB of physical memory, with user context 1 set up for mapping buffers. */
final class SiliconFixture implements AutoCloseable {
    static final int SLOT = 1;
    final PagePool memory = KilnFixture.pagePool(256);
    final Silicon silicon;
    private final PageTables tables;
    private final long root;
    private final List<PhysicalPages> owned = new ArrayList<>();

    SiliconFixture() throws DrmException {
        silicon = new T8103().powerOn(memory, SiliconOptions.defaults());
        tables = new PageTables(memory, silicon.hwConfig().uatOutputAddressBits());
        root = tables.newTable();
        tables.bind(silicon, SLOT, root, 0);
    }

    /** Zeroed pages for at least {@code bytes}, mapped read/write for the GPU at {@code va}. */
    PhysicalPages map(long va, long bytes) throws DrmException {
        PhysicalPages pages = memory.allocate(Math.max(16384, (bytes + 16383) & -16384L));
        owned.add(pages);
        tables.map(root, va, pages, UatProt.GPU_SHARED_RW);
        return pages;
    }

    /** Waits for a unit's work and insists it completed: a benchmark of failed work measures nothing. */
    static DispatchResult completed(CompletableFuture<DispatchResult> work) {
        DispatchResult result = work.join();
        if (result.status() != DispatchResult.Status.COMPLETED) {
            throw new IllegalStateException(result.toString());
        }
        return result;
    }

    @Override
    public void close() {
        silicon.close();
        tables.close();
        owned.forEach(PhysicalPages::close);
    }
}
