package kiln.benchmarks;

import java.lang.annotation.Annotation;
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

    final PagePool pool = pagePool(4096);
    final GemService gem = new GemService(pool);
    final FenceService fences = new FenceService();
    final DrmCore core = new DrmCore(null, gem, new SyncobjService(fences));
    final DrmDevice device;
    final ClientTable clients = new ClientTable(core, new ClientTable.Config() {
        @Override
        public long memory_limit_mib() {
            return 1024;
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return ClientTable.Config.class;
        }
    });

    KilnFixture() throws DrmException {
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
                return List.of(new IoctlDescriptor(NOOP, "NOOP",
                        IoctlFlag.mask(EnumSet.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW)), (file, arg) -> 0));
            }
        }, null);
    }

    Client client() {
        return clients.spawn("bench", false);
    }
}
