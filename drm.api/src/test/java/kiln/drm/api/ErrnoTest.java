package kiln.drm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void codesAreTheLinuxValues() {
        assertEquals(2, Errno.ENOENT.code());
        assertEquals(19, Errno.ENODEV.code());
        assertEquals(22, Errno.EINVAL.code());
        assertEquals(25, Errno.ENOTTY.code());
        assertEquals(110, Errno.ETIMEDOUT.code());
        assertEquals(125, Errno.ECANCELED.code());
        assertEquals(524, Errno.ENOTSUPP.code());
    }

    @Test
    void everyErrnoRoundTripsThroughItsCode() {
        for (Errno errno : Errno.values()) {
            assertSame(errno, Errno.of(errno.code()));
        }
        assertSame(Errno.EOPNOTSUPP, Errno.ENOTSUP);
    }

    @Test
    void unknownCodesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Errno.of(0));
        assertThrows(IllegalArgumentException.class, () -> Errno.of(6));
        assertThrows(IllegalArgumentException.class, () -> Errno.of(-22));
        assertThrows(IllegalArgumentException.class, () -> Errno.of(100_000));
    }

    @Test
    void exceptionCarriesErrnoAndIoctlReturn() {
        DrmException e = new DrmException(Errno.EFAULT, "pointer 0x10 outside client memory");
        assertSame(Errno.EFAULT, e.errno());
        assertEquals(-14, e.ioctlReturn());
        assertEquals("EFAULT: pointer 0x10 outside client memory", e.getMessage());
    }
}
