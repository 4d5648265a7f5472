package kiln.drm.api.ioctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IoctlFlagTest {
    @Test
    void bitsAreTheKernelValues() {
        assertEquals(0x01, IoctlFlag.AUTH.bit());
        assertEquals(0x02, IoctlFlag.MASTER.bit());
        assertEquals(0x04, IoctlFlag.ROOT_ONLY.bit());
        assertEquals(0x10, IoctlFlag.UNLOCKED.bit());
        assertEquals(0x20, IoctlFlag.RENDER_ALLOW.bit());
    }

    @Test
    void masksRoundTrip() {
        // the asahi table: GET_PARAMS is RENDER_ALLOW, everything else AUTH | RENDER_ALLOW
        assertEquals(0x21, IoctlFlag.mask(EnumSet.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW)));
        assertEquals(Set.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW), IoctlFlag.of(0x21));
        assertEquals(Set.of(), IoctlFlag.of(0));
        for (int mask = 0; mask < 0x40; mask++) {
            if ((mask & 0x08) == 0) {
                assertEquals(mask, IoctlFlag.mask(IoctlFlag.of(mask)));
            }
        }
    }

    @Test
    void unknownBitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IoctlFlag.of(0x08)); // the removed DRM_CONTROL_ALLOW
        assertThrows(IllegalArgumentException.class, () -> IoctlFlag.of(0x40));
    }
}
