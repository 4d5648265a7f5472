package kiln.drm.api.ioctl;

import java.util.EnumSet;
import java.util.Set;

/**
 * The permission flags of a DRM ioctl descriptor ({@code enum drm_ioctl_flags}), with the kernel's
 * bit values. The dispatcher checks them against the node and file before calling the handler.
 */
public enum IoctlFlag {
    /**
     * {@code DRM_AUTH}: for rendering ioctls. The file must be on a render node or be an
     * authenticated client of a primary node.
     */
    AUTH(0x01),
    /** {@code DRM_MASTER}: modeset and display changes; only the current master on a primary node. */
    MASTER(0x02),
    /** {@code DRM_ROOT_ONLY}: only a privileged ({@code CAP_SYS_ADMIN}) caller. */
    ROOT_ONLY(0x04),
    /** {@code DRM_UNLOCKED}: the legacy "no big lock" flag; every modern ioctl behaves so. */
    UNLOCKED(0x10),
    /**
     * {@code DRM_RENDER_ALLOW}: allowed on render nodes. Every ioctl with {@link #AUTH} should
     * carry it; read-only queries may carry it without {@link #AUTH}.
     */
    RENDER_ALLOW(0x20);

    private final int bit;

    IoctlFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit value for this flag. */
    public int bit() {
        return bit;
    }

    /** The kernel's bit mask for a set of flags. */
    public static int mask(Set<IoctlFlag> flags) {
        int mask = 0;
        for (IoctlFlag flag : flags) {
            mask |= flag.bit;
        }
        return mask;
    }

    /**
     * The flags of a kernel bit mask.
     *
     * @throws IllegalArgumentException if the mask has a bit that is not a flag
     */
    public static Set<IoctlFlag> of(int mask) {
        EnumSet<IoctlFlag> flags = EnumSet.noneOf(IoctlFlag.class);
        int left = mask;
        for (IoctlFlag flag : values()) {
            if ((mask & flag.bit) != 0) {
                flags.add(flag);
                left &= ~flag.bit;
            }
        }
        if (left != 0) {
            throw new IllegalArgumentException(String.format("unknown DRM ioctl flag bits 0x%x", left));
        }
        return flags;
    }
}
