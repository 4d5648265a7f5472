package kiln.agx.driver.internal.gpu;

import kiln.agx.api.hw.FaultInfo;
import kiln.drm.api.Errno;

/**
 * Why a firmware command failed ({@code workqueue::WorkError}), and the errno its fence carries:
 * timeout ETIMEDOUT, fault EIO ("not EFAULT because that's for userspace faults"), killed
 * ECANCELED, no device ENODEV, unknown ENODATA.
 *
 * @param kind  what happened
 * @param fault the decoded {@code FAULT_INFO} for {@link Kind#FAULT}
 */
public record WorkError(Kind kind, FaultInfo fault) {
    public enum Kind {
        TIMEOUT(Errno.ETIMEDOUT),
        FAULT(Errno.EIO),
        KILLED(Errno.ECANCELED),
        NO_DEVICE(Errno.ENODEV),
        UNKNOWN(Errno.ENODATA);

        private final Errno errno;

        Kind(Errno errno) {
            this.errno = errno;
        }

        public Errno errno() {
            return errno;
        }
    }

    public static WorkError of(Kind kind) {
        return new WorkError(kind, null);
    }
}
