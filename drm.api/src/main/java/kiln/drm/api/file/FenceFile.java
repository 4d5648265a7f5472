package kiln.drm.api.file;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.fence.DmaFence;

/**
 * A file that stands for one fence, the kernel's {@code sync_file}: {@code poll} finds it readable
 * once the fence has signalled.
 */
@ProviderType
public interface FenceFile {
    DmaFence fence();
}
