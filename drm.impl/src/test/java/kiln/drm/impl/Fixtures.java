package kiln.drm.impl;

import java.lang.annotation.Annotation;

import kiln.drm.impl.client.ClientTable;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.gem.GemService;
import kiln.drm.impl.gem.PagePool;
import kiln.drm.impl.fence.FenceService;
import kiln.drm.impl.syncobj.SyncobjService;

/** The DRM core's components wired by hand, as DS wires them in the framework. */
public final class Fixtures {
    private Fixtures() {
    }

    public static PagePool pagePool(long limitMib) {
        return PagePool.withLimit(limitMib);
    }

    public static DrmCore core(GemService gem) {
        return new DrmCore(null, gem, new SyncobjService(new FenceService()));
    }

    public static DrmCore core() {
        return core(new GemService(pagePool(64)));
    }

    public static ClientTable clients(DrmCore core) {
        return new ClientTable(core, new ClientTable.Config() {
            @Override
            public long memory_limit_mib() {
                return 64;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ClientTable.Config.class;
            }
        });
    }
}
