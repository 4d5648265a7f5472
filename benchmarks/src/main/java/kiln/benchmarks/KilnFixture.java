package kiln.benchmarks;

import java.lang.annotation.Annotation;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.driver.DriverInfo;
import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.client.ClientTable;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.fence.FenceService;
import kiln.drm.impl.gem.GemService;
import kiln.drm.impl.gem.PagePool;
import kiln.drm.impl.syncobj.SyncobjService;

/**
 * The DRM core assembled outside OSGi (the components' constructors are their DS injection
 * points), with a driver whose one ioctl does nothing: {@code DRM_IOWR(0x40, 32 bytes)}, the same
 * number the native baseline sends to {@code /dev/null}.
 */
final class KilnFixture {
    static final int NOOP = IoctlNumber.iowr(0x40, 32);

    /** The machine's physical memory with a limit. */
    static PagePool pagePool(long limitMib) {
        return PagePool.withLimit(limitMib);
    }

    /** {@code DRM_IOWR(0x41, {u64 size; u32 handle; u32 pad})}: a GEM-shmem object and its handle. */
    static final int GEM_CREATE = IoctlNumber.iowr(0x41, 16);
    /** {@code DRM_IOWR(0x42, {u32 handle; u32 pad; u64 offset})}: the object's fake mmap offset. */
    static final int GEM_MMAP_OFFSET = IoctlNumber.iowr(0x42, 16);

    final PagePool pool;
    final GemService gem;
    final FenceService fences = new FenceService();
    final DrmCore core;
    final DrmDevice device;
    final ClientTable clients;

    KilnFixture() throws DrmException {
        this(false);
    }

    /** With {@code sharedMemory}, physical memory lives in a file on /dev/shm, as in the runtime (native mmap). */
    KilnFixture(boolean sharedMemory) throws DrmException {
        pool = sharedMemory ? PagePool.withLimit(4096, "/dev/shm") : pagePool(4096);
        gem = new GemService(pool);
        core = new DrmCore(null, gem, new SyncobjService(fences));
        clients = new ClientTable(core, new ClientTable.Config() {
            @Override
            public long memory_limit_mib() {
                return 1024;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ClientTable.Config.class;
            }
        });
        device = core.register(new DrmDriver() {
            @Override
            public DriverInfo info() {
                return new DriverInfo(0, 0, 0, "bench", "Kiln benchmark driver", "20261125");
            }

            @Override
            public Set<DriverFeature> features() {
                return EnumSet.of(DriverFeature.GEM, DriverFeature.RENDER, DriverFeature.SYNCOBJ);
            }

            @Override
            public List<IoctlDescriptor> ioctls() {
                int flags = IoctlFlag.mask(EnumSet.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW));
                return List.of(new IoctlDescriptor(NOOP, "NOOP", flags, (file, arg) -> 0),
                        new IoctlDescriptor(GEM_CREATE, "GEM_CREATE", flags, (file, arg) -> {
                            var object = gem.createShmem(file.device(), arg.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), null, null);
                            try {
                                arg.set(ValueLayout.JAVA_INT_UNALIGNED, 8, gem.createHandle(file, object));
                            } finally {
                                object.put(); // the handle holds it
                            }
                            return 0;
                        }),
                        new IoctlDescriptor(GEM_MMAP_OFFSET, "GEM_MMAP_OFFSET", flags, (file, arg) -> {
                            var object = gem.lookup(file, arg.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
                            try {
                                arg.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, object.mmapOffset());
                            } finally {
                                object.put();
                            }
                            return 0;
                        }));
            }
        }, null);
    }

    Client client() {
        return clients.spawn("bench", false);
    }
}
