package kiln.drm.impl.gem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.gem.SgEntry;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;
import kiln.drm.impl.Fixtures;

class PhysicalMemoryTest {
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;
    private final PhysicalMemory memory = Fixtures.pagePool(1);

    @Test
    void framesAreTheAllocationsPagesByPhysicalAddress() throws DrmException {
        try (PhysicalPages pages = memory.allocate(3 * PAGE)) {
            assertEquals(List.of(new SgEntry(PhysicalMemory.DRAM_BASE, 3 * PAGE)), pages.sgTable());
            pages.memory().set(ValueLayout.JAVA_INT, 2 * PAGE + 8, 0x1234_5678);
            MemorySegment frame = memory.frame(pages.pageAddress(2) + 100);
            assertNotNull(frame);
            assertEquals(PAGE, frame.byteSize());
            assertEquals(0x1234_5678, frame.get(ValueLayout.JAVA_INT, 8));
            frame.set(ValueLayout.JAVA_INT, 12, 7);
            assertEquals(7, pages.memory().get(ValueLayout.JAVA_INT, 2 * PAGE + 12));
        }
    }

    @Test
    void addressesNobodyOwnsHaveNoFrame() throws DrmException {
        assertNull(memory.frame(0));
        assertNull(memory.frame(PhysicalMemory.DRAM_BASE - 1));
        assertNull(memory.frame(PhysicalMemory.DRAM_BASE));
        assertNull(memory.frame(Long.MAX_VALUE));
        try (PhysicalPages pages = memory.allocate(PAGE)) {
            assertNull(memory.frame(pages.pageAddress(0) + PAGE));
        }
    }

    @Test
    void closedPagesVanishAndStaleViewsFailInsteadOfReadingTheNextOwner() throws DrmException {
        PhysicalPages first = memory.allocate(PAGE);
        long address = first.pageAddress(0);
        MemorySegment stale = memory.frame(address);
        first.close();
        first.close();
        assertNull(memory.frame(address));
        try (PhysicalPages second = memory.allocate(PAGE)) {
            assertEquals(address, second.pageAddress(0), "lowest free frame is reused");
            second.memory().set(ValueLayout.JAVA_INT, 0, 42);
            assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_INT, 0));
            assertEquals(42, memory.frame(address).get(ValueLayout.JAVA_INT, 0));
            assertEquals(0, second.memory().get(ValueLayout.JAVA_INT, 4), "new pages are zeroed");
        }
        assertEquals(0, memory.usedBytes());
    }

    @Test
    void badSizesAreEinvalAndExhaustionIsEnomemWithNothingTaken() throws DrmException {
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> memory.allocate(0)).errno());
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> memory.allocate(PAGE + 1)).errno());
        try (PhysicalPages most = memory.allocate(memory.limitBytes() - PAGE)) {
            assertEquals(Errno.ENOMEM, assertThrows(DrmException.class, () -> memory.allocate(2 * PAGE)).errno());
            assertEquals(memory.limitBytes() - PAGE, memory.usedBytes());
        }
    }

    @Test
    void frameTableGrowsPastItsInitialSize() throws DrmException {
        PhysicalMemory big = Fixtures.pagePool(64);
        try (PhysicalPages pages = big.allocate(2048 * PAGE)) {
            pages.memory().set(ValueLayout.JAVA_LONG, 2047 * PAGE, -1L);
            assertEquals(-1L, big.frame(pages.pageAddress(2047)).get(ValueLayout.JAVA_LONG, 0));
        }
    }
}
