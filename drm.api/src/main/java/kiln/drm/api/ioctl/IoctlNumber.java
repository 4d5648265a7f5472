package kiln.drm.api.ioctl;

/**
 * Encoding and decoding of Linux ioctl numbers, as {@code _IOC}, {@code _IOC_DIR} and friends do.
 *
 * <p>An ioctl number is an unsigned 32-bit value, held here in an {@code int}; print it with
 * {@link #toString(int)}. The encoders refuse fields that do not fit rather than truncating them,
 * since a silently truncated size would make the kernel copy the wrong number of bytes.
 */
public final class IoctlNumber {
    /** {@code _IOC_NONE}: no argument is copied. */
    public static final int NONE = 0;
    /** {@code _IOC_WRITE}: the argument is copied from the caller into the kernel. */
    public static final int WRITE = 1;
    /** {@code _IOC_READ}: the argument is copied from the kernel back to the caller. */
    public static final int READ = 2;

    /** {@code DRM_IOCTL_BASE}: the ioctl type of every DRM ioctl. */
    public static final int DRM_IOCTL_BASE = 'd';
    /** {@code DRM_COMMAND_BASE}: the first number of driver-specific ioctls. */
    public static final int DRM_COMMAND_BASE = 0x40;
    /** {@code DRM_COMMAND_END}: one past the last number of driver-specific ioctls. */
    public static final int DRM_COMMAND_END = 0xA0;

    /** The largest argument size the 14-bit size field can hold, in bytes. */
    public static final int MAX_SIZE = (1 << 14) - 1;

    private IoctlNumber() {
    }

    /**
     * {@code _IOC(dir, type, nr, size)}.
     *
     * @throws IllegalArgumentException if a field is out of its range (dir 2 bits, size 14 bits,
     *         type and nr 8 bits each)
     */
    public static int encode(int dir, int type, int nr, int size) {
        check("dir", dir, 3);
        check("type", type, 0xff);
        check("nr", nr, 0xff);
        check("size", size, MAX_SIZE);
        return dir << 30 | size << 16 | type << 8 | nr;
    }

    /** {@code DRM_IO(nr)}: a DRM ioctl with no argument. */
    public static int io(int nr) {
        return encode(NONE, DRM_IOCTL_BASE, nr, 0);
    }

    /** {@code DRM_IOR(nr, type)}: the kernel fills a {@code size}-byte struct for the caller. */
    public static int ior(int nr, int size) {
        return encode(READ, DRM_IOCTL_BASE, nr, size);
    }

    /** {@code DRM_IOW(nr, type)}: the caller passes a {@code size}-byte struct in. */
    public static int iow(int nr, int size) {
        return encode(WRITE, DRM_IOCTL_BASE, nr, size);
    }

    /** {@code DRM_IOWR(nr, type)}: a {@code size}-byte struct is copied in and back out. */
    public static int iowr(int nr, int size) {
        return encode(READ | WRITE, DRM_IOCTL_BASE, nr, size);
    }

    /** {@code _IOC_DIR}: {@link #NONE}, or {@link #READ} and/or {@link #WRITE}. */
    public static int dir(int cmd) {
        return cmd >>> 30;
    }

    /** {@code _IOC_SIZE}: the argument struct's size in bytes. */
    public static int size(int cmd) {
        return (cmd >>> 16) & MAX_SIZE;
    }

    /** {@code _IOC_TYPE}: {@code 'd'} for DRM. */
    public static int type(int cmd) {
        return (cmd >>> 8) & 0xff;
    }

    /** {@code _IOC_NR}: the ioctl's number within its type. */
    public static int nr(int cmd) {
        return cmd & 0xff;
    }

    /** Whether {@code cmd} is a driver-specific DRM ioctl (type {@code 'd'}, nr in [0x40, 0xA0)). */
    public static boolean isDriverIoctl(int cmd) {
        return type(cmd) == DRM_IOCTL_BASE && nr(cmd) >= DRM_COMMAND_BASE && nr(cmd) < DRM_COMMAND_END;
    }

    /** {@code 0xC0206440}-style hexadecimal, as the number appears in C headers and straces. */
    public static String toString(int cmd) {
        return String.format("0x%08X", cmd);
    }

    private static void check(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("ioctl " + field + " " + value + " outside [0, " + max + "]");
        }
    }
}
