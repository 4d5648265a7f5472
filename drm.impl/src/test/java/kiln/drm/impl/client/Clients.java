package kiln.drm.impl.client;

import java.lang.annotation.Annotation;

import kiln.drm.impl.device.DrmCore;

/** Test access to a process table outside OSGi. */
public final class Clients {
    private Clients() {
    }

    public static ClientTable table(DrmCore core) {
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
