package kiln.drm.api;

/**
 * The Linux error numbers a DRM client can see, with their x86-64/arm64 values.
 *
 * <p>Kiln answers bad input with the errno the real kernel or driver gives (see the reference
 * notes on drm-asahi), so a client ported from C sees the same codes. {@link #ENOTSUPP} is the
 * kernel-internal 524 that drm-asahi returns for an unimplemented bind operation, distinct from
 * the userspace {@link #EOPNOTSUPP}; {@link #ERESTARTSYS} is the kernel-internal "interrupted,
 * restart the call" code.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    E2BIG(7, "Argument list too long"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    EINVAL(22, "Invalid argument"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    ENOSPC(28, "No space left on device"),
    ERANGE(34, "Numerical result out of range"),
    ENOSYS(38, "Function not implemented"),
    ENODATA(61, "No data available"),
    ETIME(62, "Timer expired"),
    EOVERFLOW(75, "Value too large for defined data type"),
    EOPNOTSUPP(95, "Operation not supported"),
    ETIMEDOUT(110, "Connection timed out"),
    ECANCELED(125, "Operation canceled"),
    ERESTARTSYS(512, "Interrupted, restart the call (kernel-internal)"),
    ENOTSUPP(524, "Operation is not supported (kernel-internal)");

    /** The POSIX name for {@link #EOPNOTSUPP}, which Linux defines as the same value. */
    public static final Errno ENOTSUP = EOPNOTSUPP;

    private static final Errno[] BY_CODE = new Errno[525];

    static {
        for (Errno errno : values()) {
            BY_CODE[errno.code] = errno;
        }
    }

    private final int code;
    private final String description;

    Errno(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The positive error number ({@code errno} in C; an ioctl returns its negation). */
    public int code() {
        return code;
    }

    /** The text {@code strerror(3)} gives for this error. */
    public String description() {
        return description;
    }

    /**
     * The errno with the given positive number.
     *
     * @throws IllegalArgumentException if Kiln does not model that number
     */
    public static Errno of(int code) {
        Errno errno = code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (errno == null) {
            throw new IllegalArgumentException("unknown errno " + code);
        }
        return errno;
    }
}
