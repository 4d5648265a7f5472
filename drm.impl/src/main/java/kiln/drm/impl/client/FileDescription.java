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

    /**
     * {@code ioctl(2)} on a file that is not a DRM file ({@code sync_file}, {@code sw_sync}):
     * {@code arg} is an address in {@code caller}'s memory. ENOTTY unless the file has ioctls.
     */
    default int ioctl(kiln.drm.api.client.Client caller, int cmd, long arg) throws kiln.drm.api.DrmException {
        throw kiln.drm.api.DrmException.quiet(kiln.drm.api.Errno.ENOTTY, this + " takes no ioctl "
                + kiln.drm.api.ioctl.IoctlNumber.toString(cmd));
    }
}
