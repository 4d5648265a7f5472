package kiln.drm.impl.client;

/**
 * What a descriptor points at ({@code struct file}). DRM files, dma-bufs and sync files implement
 * it. A description installed at several descriptors (or otherwise shared) counts its holders
 * itself; {@link #release()} drops one.
 */
public interface FileDescription {
    /** A descriptor referring to this description closed (or another holder let go). */
    void release();
}
