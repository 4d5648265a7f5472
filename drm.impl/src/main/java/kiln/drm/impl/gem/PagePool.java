package kiln.drm.impl.gem;

import java.util.BitSet;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.gem.ShmemObject;

/**
 * The simulated machine's physical memory: page frames of 16 KiB from {@link #DRAM_BASE} (where
 * Apple M1/M2 DRAM starts), handed out lowest-free so objects are physically contiguous when
 * they can be. It accounts frames and addresses; each object keeps its own off-heap memory.
 * Running out is ENOMEM. Lowering the limit below what is in use refuses new allocations until
 * enough is freed.
 */
@Component(service = PagePool.class, configurationPid = PagePool.PID)
@Designate(ocd = PagePool.Config.class)
public final class PagePool {
    static final String PID = "kiln.drm.pages";
    public static final long DRAM_BASE = 0x8_0000_0000L;

    @ObjectClassDefinition(name = "Kiln physical page pool",
            description = "Memory that GEM-shmem objects may take, in 16 KiB pages")
    public @interface Config {
        @AttributeDefinition(name = "Limit (MiB)", description = "Total memory for GEM-shmem pages")
        long limit_mib() default 2048;
    }

    private final BitSet used = new BitSet();
    private int usedPages;
    private volatile int limitPages;

    @Activate
    public PagePool(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        limitPages = (int) Math.min(Integer.MAX_VALUE, (config.limit_mib() << 20) / ShmemObject.PAGE_SIZE);
    }

    /** Allocates {@code count} frames, lowest free first. */
    synchronized long[] allocate(int count) throws DrmException {
        if (count > limitPages - usedPages) {
            throw DrmException.quiet(Errno.ENOMEM, "page pool exhausted: " + count + " pages wanted, "
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

    synchronized void free(long[] frames) {
        for (long frame : frames) {
            used.clear((int) frame);
        }
        usedPages -= frames.length;
    }

    public synchronized long usedBytes() {
        return (long) usedPages * ShmemObject.PAGE_SIZE;
    }

    public long limitBytes() {
        return (long) limitPages * ShmemObject.PAGE_SIZE;
    }

    static long address(long frame) {
        return DRAM_BASE + frame * ShmemObject.PAGE_SIZE;
    }
}
