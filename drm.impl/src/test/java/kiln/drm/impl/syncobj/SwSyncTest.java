package kiln.drm.impl.syncobj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.Client;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.impl.Fixtures;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.fence.FenceService;
import kiln.drm.impl.gem.GemService;

/**
 * sw_sync timelines and sync_file ioctls with the kernel's answers ({@code sw_sync.c},
 * {@code sync_file.c}; IGT's {@code sw_sync} cases in spirit): fences at timeline values, INC,
 * ENOENT for what a closed timeline leaves pending, MERGE and FILE_INFO.
 */
class SwSyncTest {
    private Client client;
    private AddressSpace mem;
    private long arg;
    private int timeline;

    @BeforeEach
    void setUp() throws DrmException {
        FenceService fences = new FenceService();
        DrmCore core = new DrmCore(null, new GemService(Fixtures.pagePool(16)), new SyncobjService(fences));
        client = Fixtures.clients(core).spawn("sw_sync_test", false);
        mem = client.memory();
        arg = mem.map(4096);
        timeline = client.open(DrmCore.SW_SYNC);
    }

    private int fenceAt(int value) throws DrmException {
        mem.writeInt(arg, value);
        client.ioctl(timeline, SwSync.CREATE_FENCE, arg);
        return mem.readInt(arg + 36);
    }

    private void inc(int by) throws DrmException {
        mem.writeInt(arg + 64, by);
        client.ioctl(timeline, SwSync.INC, arg + 64);
    }

    private DmaFence fence(int fd) throws DrmException {
        return client.lookup(fd, SyncFile.class).fence();
    }

    @Test
    void fencesSignalWhenTheTimelineReachesThem() throws DrmException {
        int one = fenceAt(1);
        int three = fenceAt(3);
        assertSame(fence(three), fence(fenceAt(3)), "one fence per pending value");
        inc(1);
        assertTrue(fence(one).isSignaled());
        assertFalse(fence(three).isSignaled());
        inc(2);
        assertTrue(fence(three).isSignaled());
        assertTrue(fence(fenceAt(2)).isSignaled(), "a value the timeline passed is signalled at once");
        assertEquals(1, fence(three).status());
    }

    @Test
    void closingTheTimelineFailsWhatIsPendingWithEnoent() throws DrmException {
        int pending = fenceAt(10);
        int also = client.install(client.lookup(timeline, Object.class)); // a second descriptor: not the last close
        client.close(timeline);
        assertFalse(fence(pending).isSignaled());
        client.close(also);
        assertTrue(fence(pending).isSignaled());
        assertEquals(Errno.ENOENT, fence(pending).error());
    }

    /** Values compare as the kernel's 32-bit seqnos, with wrap-around; INC goes in steps of at most INT_MAX. */
    @Test
    void valuesCompareWithWrapAroundAndLargeIncrementsArrive() throws DrmException {
        int near = fenceAt(0x7FFF_FFF0);
        inc(0x8000_0004);
        assertTrue(fence(near).isSignaled());
        assertTrue(fence(fenceAt(0x8000_0004)).isSignaled(), "the timeline is at 0x80000004");
        int next = fenceAt(0x8000_0005);
        assertFalse(fence(next).isSignaled());
        assertTrue(fence(fenceAt(0x0000_0004)).isSignaled(), "half the space behind counts as passed");
        inc(1);
        assertTrue(fence(next).isSignaled());
    }

    @Test
    void mergeAndInfoAnswerAsTheKernels() throws DrmException {
        int a = fenceAt(1);
        int other = client.open(DrmCore.SW_SYNC);
        mem.writeInt(arg, 2);
        client.ioctl(other, SwSync.CREATE_FENCE, arg);
        int b = mem.readInt(arg + 36);
        byte[] name = "merged".getBytes(StandardCharsets.US_ASCII);
        MemorySegmentWriter w = new MemorySegmentWriter(mem, arg);
        w.zero(48).bytes(0, name).s32(32, b);
        client.ioctl(a, SyncFile.MERGE, arg);
        int merged = mem.readInt(arg + 36);
        assertNotEquals(a, merged);
        // FILE_INFO with no room: the count only
        w.zero(56);
        client.ioctl(merged, SyncFile.FILE_INFO, arg);
        assertEquals(2, mem.readInt(arg + 40), "one fence per timeline");
        assertEquals("merged", w.string(0));
        assertEquals(0, mem.readInt(arg + 32), "pending");
        // room for too few
        w.zero(56).s32(40, 1);
        mem.writeLong(arg + 48, arg + 1024);
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> client.ioctl(merged, SyncFile.FILE_INFO, arg)).errno());
        inc(2);
        mem.writeInt(arg + 64, 2);
        client.ioctl(other, SwSync.INC, arg + 64);
        w.zero(56).s32(40, 2);
        mem.writeLong(arg + 48, arg + 1024);
        client.ioctl(merged, SyncFile.FILE_INFO, arg);
        assertEquals(1, mem.readInt(arg + 32), "signalled");
        assertEquals("sw_sync", w.string(1024 + 32), "driver name of the first fence");
        assertEquals(1, mem.readInt(arg + 1024 + 64), "its status");
        // two points of one timeline merge to the later one (dma_fence_unwrap_merge)
        w.zero(48).s32(32, fenceAt(7));
        client.ioctl(a, SyncFile.MERGE, arg);
        int same = mem.readInt(arg + 36);
        assertEquals(7, fence(same).seqno());
        // flags must be zero; fd2 must be a sync file
        w.zero(48).s32(32, b).s32(40, 1);
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> client.ioctl(a, SyncFile.MERGE, arg)).errno());
        w.zero(48).s32(32, timeline);
        assertEquals(Errno.ENOENT, assertThrows(DrmException.class, () -> client.ioctl(a, SyncFile.MERGE, arg)).errno());
        assertEquals(Errno.ENOTTY, assertThrows(DrmException.class, () -> client.ioctl(a, SwSync.INC, arg)).errno());
    }

    /** Little helper: fills the argument area. */
    private record MemorySegmentWriter(AddressSpace mem, long base) {
        MemorySegmentWriter zero(int n) throws DrmException {
            mem.copyOut(java.lang.foreign.MemorySegment.ofArray(new byte[n]), 0, base, n);
            return this;
        }

        MemorySegmentWriter bytes(int at, byte[] b) throws DrmException {
            mem.copyOut(java.lang.foreign.MemorySegment.ofArray(b), 0, base + at, b.length);
            return this;
        }

        MemorySegmentWriter s32(int at, int v) throws DrmException {
            mem.writeInt(base + at, v);
            return this;
        }

        String string(int at) throws DrmException {
            byte[] b = new byte[32];
            mem.copyIn(base + at, java.lang.foreign.MemorySegment.ofArray(b), 0, 32);
            int end = 0;
            while (end < 32 && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }
    }
}
