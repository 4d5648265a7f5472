package kiln.drm.impl.client;

/**
 * What a descriptor points at and is counted by ({@code struct file}): released when the last
 * descriptor referring to it closes. DRM files, dma-bufs and sync files implement it.
 */
public interface FileDescription {
    /** Called once, when the last descriptor for this description closed. */
    void release();
}
