package kiln.drm.impl.gem;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * The simulated machine's physical memory ({@link PhysicalMemory}). Frames are accounted in a
 * bit set and handed out lowest-free; each allocation keeps its bytes in one shared arena of its
 * own (so closing it invalidates every view), and the frame table maps each frame number to its
 * slice of that arena for lock-free access by physical address. Lowering the limit below what is
 * in use refuses new allocations until enough is freed.
 */
@Component(service = {PagePool.class, PhysicalMemory.class}, configurationPid = PagePool.PID)
@Designate(ocd = PagePool.Config.class)
public final class PagePool implements PhysicalMemory {
    static final String PID = "kiln.drm.pages";

    @ObjectClassDefinition(name = "Kiln physical memory",
            description = "Memory that GEM-shmem objects, page tables and firmware may take, in 16 KiB pages")
    public @interface Config {
        @AttributeDefinition(name = "Limit (MiB)", description = "Total physical memory")
        long limit_mib() default 2048;

        @AttributeDefinition(name = "Shared backing directory", description = "A RAM file system where the "
                + "memory's bytes live in one file, so that native programs can map GEM objects; empty: memory of "
                + "the runtime alone. Read at activation.")
        String shared_dir() default "/dev/shm";
    }

    private final BitSet used = new BitSet();
    private int usedPages;
    private volatile int limitPages;
    /** Frame number to its segment; replaced (under the lock) when it must grow. */
    private volatile AtomicReferenceArray<MemorySegment> frameTable = new AtomicReferenceArray<>(1024);

    /** Where the bytes live when they are shared with native programs; null: the runtime's alone. */
    private final SharedBacking backing;

    @Activate
    public PagePool(Config config) {
        modified(config);
        this.backing = config.shared_dir().isBlank() ? null
                : SharedBacking.in(java.nio.file.Path.of(config.shared_dir()), 1L << 38);
    }

    SharedBacking backing() {
        return backing;
    }

    @org.osgi.service.component.annotations.Deactivate
    void deactivate() {
        if (backing != null) {
            backing.close();
        }
    }

    /** A pool outside the framework (tests, benchmarks, tools) with a limit of {@code limitMib} MiB, not shared. */
    public static PagePool withLimit(long limitMib) {
        return withLimit(limitMib, "");
    }

    /** A pool outside the framework whose bytes live in a file under {@code sharedDir} (empty: not shared). */
    public static PagePool withLimit(long limitMib, String sharedDir) {
        return new PagePool(new Config() {
            @Override
            public long limit_mib() {
                return limitMib;
            }

            @Override
            public String shared_dir() {
                return sharedDir;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Config.class;
            }
        });
    }

    @Modified
    void modified(Config config) {
        limitPages = (int) Math.min(Integer.MAX_VALUE, (config.limit_mib() << 20) / PAGE_SIZE);
    }

    @Override
    public PhysicalPages allocate(long bytes) throws DrmException {
        if (bytes <= 0 || bytes % PAGE_SIZE != 0) {
            throw new DrmException(Errno.EINVAL, "physical allocation of " + bytes + " bytes is not whole pages");
        }
        return new Pages(this, bytes);
    }

    @Override
    public MemorySegment frame(long physicalAddress) {
        long frame = (physicalAddress - DRAM_BASE) >> PAGE_SHIFT;
        AtomicReferenceArray<MemorySegment> table = frameTable;
        if (physicalAddress < DRAM_BASE || frame >= table.length()) {
            return null;
        }
        return table.getAcquire((int) frame);
    }

    /** Reserves {@code count} frames, lowest free first. */
    synchronized long[] reserve(int count) throws DrmException {
        if (count > limitPages - usedPages) {
            throw DrmException.quiet(Errno.ENOMEM, "physical memory exhausted: " + count + " pages wanted, "
                    + Math.max(0, limitPages - usedPages) + " free");
        }
        long[] frames = new long[count];
        int frame = 0;
        for (int i = 0; i < count; i++) {
            frame = used.nextClearBit(frame);
            used.set(frame);
            frames[i] = frame;
        }
        usedPages += count;
        return frames;
    }

    /** Makes reserved frames reachable by address, each as its page of {@code memory}. */
    synchronized void publish(long[] frames, MemorySegment memory) {
        AtomicReferenceArray<MemorySegment> table = frameTable;
        long last = frames.length == 0 ? 0 : frames[frames.length - 1];
        for (long frame : frames) {
            last = Math.max(last, frame);
        }
        if (last >= table.length()) {
            AtomicReferenceArray<MemorySegment> grown = new AtomicReferenceArray<>((int) Math.max(last + 1, table.length() * 2L));
            for (int i = 0; i < table.length(); i++) {
                grown.setPlain(i, table.getPlain(i));
            }
            frameTable = grown;
            table = grown;
        }
        for (int i = 0; i < frames.length; i++) {
            table.setRelease((int) frames[i], memory.asSlice(i * PAGE_SIZE, PAGE_SIZE));
        }
    }

    /** Unpublishes (if published) and returns frames to the pool. */
    synchronized void release(long[] frames) {
        AtomicReferenceArray<MemorySegment> table = frameTable;
        for (long frame : frames) {
            if (frame < table.length()) {
                table.setRelease((int) frame, null);
            }
            used.clear((int) frame);
        }
        usedPages -= frames.length;
    }

    @Override
    public synchronized long usedBytes() {
        return (long) usedPages * PAGE_SIZE;
    }

    @Override
    public long limitBytes() {
        return (long) limitPages * PAGE_SIZE;
    }

    static long address(long frame) {
        return DRAM_BASE + frame * PAGE_SIZE;
    }
}
