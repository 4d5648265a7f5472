package kiln.benchmarks;

import java.lang.annotation.Annotation;

import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.uapi.AsahiDriver;
import kiln.agx.g13.internal.T8103;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.impl.client.ClientTable;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.fence.FenceService;
import kiln.drm.impl.gem.GemService;
import kiln.drm.impl.gem.PagePool;
import kiln.drm.impl.mm.RangeAllocatorService;
import kiln.drm.impl.sched.SchedulerService;
import kiln.drm.impl.syncobj.SyncobjService;
import kiln.firmware.fw13_2.internal.Firmware13_2;

/**
 * The DRM core and the asahi driver assembled outside OSGi (each component's constructor is its
 * DS injection point), with one probed t8103 running firmware 13.2.
 */
final class AsahiFixture implements AutoCloseable {
    final PagePool pool = PagePool.withLimit(4096);
    final GemService gem = new GemService(pool);
    final FenceService fences = new FenceService();
    final SyncobjService syncobjs = new SyncobjService(fences);
    final DrmCore core = new DrmCore(null, gem, syncobjs);
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
    final AgxGpu gpu;
    final DrmDevice device;
    private int[] syncs;

    AsahiFixture() throws DrmException {
        T8103 chip = new T8103();
        gpu = AgxGpu.probe(chip.hwConfig(), chip.powerOn(pool, SiliconOptions.defaults().withHostWorkers(1)),
                new Firmware13_2(), pool, 5000);
        device = core.register(new AsahiDriver(gpu, new AsahiDriver.Services(gem, new RangeAllocatorService(),
                new SchedulerService(fences), fences, syncobjs)), null);
    }

    Client client() {
        return clients.spawn("bench", false);
    }

    String renderNode() {
        return device.renderNode();
    }

    /** {@code count} binary syncobjs of {@code dev}, made once. */
    int[] syncs(AsahiDevice dev, int count) throws DrmException {
        if (syncs == null) {
            syncs = new int[count];
            for (int i = 0; i < count; i++) {
                syncs[i] = dev.syncobjCreate(0);
            }
        }
        return syncs;
    }

    @Override
    public void close() {
        device.unplug();
        gpu.close();
    }
}
