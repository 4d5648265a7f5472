package kiln.drm.impl.client;

/**
 * What a descriptor points at ({@code struct file}). DRM files, dma-bufs and sync files implement
 * it. A description installed at several descriptors (or otherwise shared) counts its holders
 * itself; {@link #release()} drops one.
 */
public interface FileDescription {
    /**
     * A new holder (a descriptor being installed, another process receiving it).
     *
     * @return false if the description has already been released for good (it cannot come back)
     */
    default boolean acquire() {
        return true;
    }

    /** A holder let go (a descriptor referring to this description closed). */
    void release();
}
