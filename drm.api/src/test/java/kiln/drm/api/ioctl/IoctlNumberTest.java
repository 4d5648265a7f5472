package kiln.drm.api.ioctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class IoctlNumberTest {
    /** The RFC asahi UAPI (version 10006): nr from 0x40, struct sizes from the C headers. */
    @Test
    void asahiUapiNumbersMatchTheCHeaders() {
        int base = IoctlNumber.DRM_COMMAND_BASE;
        assertEquals(0xC0206440, IoctlNumber.iowr(base, 32)); // GET_PARAMS
        assertEquals(0xC0106441, IoctlNumber.iowr(base + 1, 16)); // VM_CREATE
        assertEquals(0x40106442, IoctlNumber.iow(base + 2, 16)); // VM_DESTROY
        assertEquals(0xC0206443, IoctlNumber.iowr(base + 3, 32)); // GEM_CREATE
        assertEquals(0xC0186444, IoctlNumber.iowr(base + 4, 24)); // GEM_MMAP_OFFSET
        assertEquals(0x40306445, IoctlNumber.iow(base + 5, 48)); // GEM_BIND
        assertEquals(0xC0206446, IoctlNumber.iowr(base + 6, 32)); // QUEUE_CREATE
        assertEquals(0x40106447, IoctlNumber.iow(base + 7, 16)); // QUEUE_DESTROY
        assertEquals(0x40386448, IoctlNumber.iow(base + 8, 56)); // SUBMIT
        assertEquals(0xC0286449, IoctlNumber.iowr(base + 9, 40)); // GET_TIME
    }

    @Test
    void decodesEveryField() {
        int submit = 0x40386448;
        assertEquals(IoctlNumber.WRITE, IoctlNumber.dir(submit));
        assertEquals(56, IoctlNumber.size(submit));
        assertEquals('d', IoctlNumber.type(submit));
        assertEquals(0x48, IoctlNumber.nr(submit));
        assertEquals(IoctlNumber.READ | IoctlNumber.WRITE, IoctlNumber.dir(0xC0206440));
        assertEquals(IoctlNumber.NONE, IoctlNumber.dir(IoctlNumber.io(0x01)));
        assertEquals("0xC0206440", IoctlNumber.toString(0xC0206440));
    }

    @Test
    void driverRangeIsFrom0x40To0x9F() {
        assertTrue(IoctlNumber.isDriverIoctl(IoctlNumber.iowr(0x40, 32)));
        assertTrue(IoctlNumber.isDriverIoctl(IoctlNumber.io(0x9F)));
        assertFalse(IoctlNumber.isDriverIoctl(IoctlNumber.io(0x3F)), "core DRM ioctl");
        assertFalse(IoctlNumber.isDriverIoctl(IoctlNumber.io(0xA0)), "past DRM_COMMAND_END");
        assertFalse(IoctlNumber.isDriverIoctl(IoctlNumber.encode(IoctlNumber.NONE, 'T', 0x40, 0)), "not a DRM type");
    }

    @Test
    void fieldsThatDoNotFitAreRefusedNotTruncated() {
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.iow(0x40, IoctlNumber.MAX_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.iow(0x100, 8));
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.iow(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.encode(4, 'd', 0x40, 8));
        assertThrows(IllegalArgumentException.class, () -> IoctlNumber.encode(1, 0x100, 0x40, 8));
    }

    @Property
    void encodingRoundTrips(@ForAll @IntRange(min = 0, max = 3) int dir, @ForAll @IntRange(min = 0, max = 255) int type,
            @ForAll @IntRange(min = 0, max = 255) int nr, @ForAll @IntRange(min = 0, max = IoctlNumber.MAX_SIZE) int size) {
        int cmd = IoctlNumber.encode(dir, type, nr, size);
        assertEquals(dir, IoctlNumber.dir(cmd));
        assertEquals(type, IoctlNumber.type(cmd));
        assertEquals(nr, IoctlNumber.nr(cmd));
        assertEquals(size, IoctlNumber.size(cmd));
    }
}
