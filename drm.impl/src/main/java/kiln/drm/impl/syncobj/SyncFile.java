package kiln.drm.impl.syncobj;

import kiln.drm.api.fence.DmaFence;
import kiln.drm.impl.client.FileDescription;

/** A sync_file: a descriptor for one fence. */
record SyncFile(DmaFence fence) implements FileDescription {
    @Override
    public void release() {
        // holds nothing but the fence reference, which the collector reclaims
    }
}
