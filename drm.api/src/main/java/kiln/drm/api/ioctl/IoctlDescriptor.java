package kiln.drm.api.ioctl;

import java.util.Objects;

/**
 * One row of an ioctl table ({@code struct drm_ioctl_desc}): the number (whose size field is the
 * struct size the handler expects), a name for logs, the {@link IoctlFlag} mask and the handler.
 *
 * @param cmd     the full ioctl number, type {@code 'd'}
 * @param name    e.g. {@code "ASAHI_GET_PARAMS"}
 * @param flags   an {@link IoctlFlag#mask} value
 * @param handler the implementation
 */
public record IoctlDescriptor(int cmd, String name, int flags, IoctlHandler handler) {
    public IoctlDescriptor {
        if (IoctlNumber.type(cmd) != IoctlNumber.DRM_IOCTL_BASE) {
            throw new IllegalArgumentException(name + ": not a DRM ioctl number: " + IoctlNumber.toString(cmd));
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
    }
}
