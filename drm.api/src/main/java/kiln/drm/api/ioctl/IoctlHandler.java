package kiln.drm.api.ioctl;

import java.lang.foreign.MemorySegment;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;

/**
 * An ioctl's implementation ({@code drm_ioctl_t}). {@code arg} is the kernel's copy of the
 * argument struct, exactly the size the descriptor's number declares, little-endian, already
 * zero-extended; the handler reads it, writes results into it, and the dispatcher copies it back
 * for {@code _IOR} numbers. The segment is valid only during the call.
 */
@ConsumerType
@FunctionalInterface
public interface IoctlHandler {
    /**
     * @return the ioctl's non-negative result (almost always 0)
     * @throws DrmException the errno to answer; the dispatcher still copies the struct back, as
     *                      {@code drm_ioctl} does
     */
    int handle(DrmFile file, MemorySegment arg) throws DrmException;
}
