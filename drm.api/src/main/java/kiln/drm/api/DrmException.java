package kiln.drm.api;

import java.io.Serial;

/**
 * The one exception type of the DRM layer: a failed operation and the {@link Errno} it answers.
 *
 * <p>Contract: an operation that throws this has changed nothing a client can observe (the kernel
 * rule "bad input changes nothing"), unless its documentation says otherwise. The message is for
 * people (logs, the shell); programs decide on {@link #errno()} only.
 */
public class DrmException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    public DrmException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    /**
     * An expected failure on a hot path (ENOSPC from an allocator, ENOENT from a handle lookup):
     * without a stack trace, so that answering bad input costs nanoseconds, not microseconds.
     * The errno and message are all a caller acts on there.
     */
    public static DrmException quiet(Errno errno, String message) {
        return new DrmException(errno, message, false);
    }

    private DrmException(Errno errno, String message, boolean writableStackTrace) {
        super(message, null, false, writableStackTrace);
        this.errno = errno;
    }

    public DrmException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    /** {@code "ERRNO: message"}; composed when read, so throwing costs no string work. */
    @Override
    public String getMessage() {
        return errno.name() + ": " + super.getMessage();
    }

    /** The value a C ioctl would return for this failure: the negated error number. */
    public int ioctlReturn() {
        return -errno.code();
    }
}
