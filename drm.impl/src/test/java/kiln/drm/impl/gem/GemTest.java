package kiln.drm.impl.gem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.gem.GemObject;
import kiln.drm.api.gem.GemObjectFuncs;
import kiln.drm.api.gem.SgEntry;
import kiln.drm.api.gem.ShmemMapping;
import kiln.drm.api.gem.ShmemObject;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.Fixtures;
import kiln.drm.impl.client.ClientTable;
import kiln.drm.impl.device.DeviceFile;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.device.TestDriver;

class GemTest {
    private static final long PAGE = ShmemObject.PAGE_SIZE;
    private static final int GEM_CLOSE = IoctlNumber.iow(0x09, 8);
    private static final int PRIME_HANDLE_TO_FD = IoctlNumber.iowr(0x2d, 12);
    private static final int PRIME_FD_TO_HANDLE = IoctlNumber.iowr(0x2e, 12);

    private PagePool pool;
    private GemService gem;
    private DrmCore core;
    private ClientTable clients;
    private TestDriver driver;
    private DrmDevice device;
    private Client client;
    private DrmFile file;
    private final List<String> hooks = Collections.synchronizedList(new ArrayList<>());
    private final GemObjectFuncs funcs = new GemObjectFuncs() {
        @Override
        public void open(GemObject object, DrmFile f) throws DrmException {
            if ("refuse".equals(object.driverObject())) {
                throw new DrmException(Errno.EPERM, "refused");
            }
            hooks.add("open " + object.driverObject());
        }

        @Override
        public void close(GemObject object, DrmFile f) {
            hooks.add("close " + object.driverObject());
        }

        @Override
        public void free(GemObject object) {
            hooks.add("free " + object.driverObject());
        }
    };

    @BeforeEach
    void setUp() throws DrmException {
        pool = Fixtures.pagePool(1);
        gem = new GemService(pool);
        core = Fixtures.core(gem);
        clients = Fixtures.clients(core);
        driver = new TestDriver() {
            @Override
            public void postclose(DrmFile f) {
                hooks.add("postclose");
            }
        };
        device = core.register(driver, null);
        client = clients.spawn("gem", false);
        file = open(client);
    }

    private DrmFile open(Client c) throws DrmException {
        int fd = c.open("renderD128");
        return c.lookup(fd, DeviceFile.class);
    }

    private static Errno errno(Call call) {
        return assertThrows(DrmException.class, call::run).errno();
    }

    interface Call {
        void run() throws Exception;
    }

    @Test
    void handlesStartAtOneAndHoldReferences() throws DrmException {
        ShmemObject bo = gem.createShmem(device, 100, funcs, "a");
        assertEquals(PAGE, bo.size(), "rounded up to a page");
        int h1 = gem.createHandle(file, bo);
        int h2 = gem.createHandle(file, bo);
        assertEquals(1, h1);
        assertEquals(2, h2, "each create makes a new handle");
        assertEquals(3, bo.refcount());
        bo.put();
        gem.closeHandle(file, h1);
        assertEquals(1, gem.createHandle(file, gem.createShmem(device, 1, funcs, "b")), "lowest free handle");
        GemObject found = gem.lookup(file, h2);
        assertEquals(bo, found);
        found.put();
        gem.closeHandle(file, h2);
        assertTrue(bo.isFreed());
        assertEquals(List.of("open a", "open a", "close a", "open b", "close a", "free a"), hooks);
    }

    @Test
    void unknownHandlesAnswerEnoentOnLookupAndEinvalOnClose() throws DrmException {
        assertEquals(Errno.ENOENT, errno(() -> gem.lookup(file, 0)));
        assertEquals(Errno.ENOENT, errno(() -> gem.lookup(file, 7)));
        assertEquals(Errno.EINVAL, errno(() -> gem.closeHandle(file, 7)));
        long arg = client.memory().map(64);
        client.memory().writeInt(arg, 9);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, GEM_CLOSE, arg)));
    }

    @Test
    void refusedOpenHookLeavesNothing() throws DrmException {
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "refuse");
        assertEquals(Errno.EPERM, errno(() -> gem.createHandle(file, bo)));
        assertEquals(1, bo.refcount());
        assertEquals(0, gem.handleCount(file));
        bo.put();
        assertTrue(bo.isFreed());
    }

    @Test
    void handlesAreReleasedBeforePostcloseWhenTheFileCloses() throws DrmException {
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "x");
        gem.createHandle(file, bo);
        bo.put();
        client.exit();
        assertEquals(List.of("open x", "close x", "free x", "postclose"), hooks);
    }

    @Test
    void shmemPagesAreZeroedContiguousAndComeFromThePool() throws DrmException {
        ShmemObject bo = gem.createShmem(device, 3 * PAGE, funcs, "s");
        assertFalse(bo.isResident(), "pages come when first needed");
        List<SgEntry> sg = bo.sgTable();
        assertEquals(List.of(new SgEntry(PagePool.DRAM_BASE, 3 * PAGE)), sg);
        assertEquals(3 * PAGE, pool.usedBytes());
        try (ShmemMapping map = bo.vmap()) {
            MemorySegment memory = map.memory();
            for (long i = 0; i < memory.byteSize(); i += 8) {
                assertEquals(0, memory.get(ValueLayout.JAVA_LONG, i));
            }
            memory.set(ValueLayout.JAVA_INT, 0, 42);
        }
        bo.put();
        assertEquals(0, pool.usedBytes());
    }

    @Test
    void exhaustedPoolIsEnomemAndMemoryIsNotReadAfterFree() throws DrmException {
        ShmemObject big = gem.createShmem(device, 2 << 20, funcs, "big");
        assertEquals(Errno.ENOMEM, errno(big::vmap), "1 MiB pool");
        ShmemObject small = gem.createShmem(device, PAGE, funcs, "small");
        ShmemMapping map = small.vmap();
        MemorySegment memory = map.memory();
        small.put();
        assertFalse(small.isFreed(), "the mapping holds a reference");
        map.close();
        assertTrue(small.isFreed());
        assertThrows(IllegalStateException.class, () -> memory.get(ValueLayout.JAVA_INT, 0));
        assertThrows(IllegalStateException.class, map::memory);
        assertEquals(Errno.ENODEV, errno(small::vmap));
        big.put();
    }

    @Test
    void clientsMapObjectsThroughTheFakeOffset() throws DrmException {
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "m");
        gem.createHandle(file, bo);
        long offset = bo.mmapOffset();
        assertEquals(offset, bo.mmapOffset(), "stable");
        assertTrue(offset >= GemService.FILE_PAGE_OFFSET_START << 14);
        long address = client.mmap(0, PAGE, offset);
        client.memory().writeInt(address + 8, 0x1234);
        try (ShmemMapping map = bo.vmap()) {
            assertEquals(0x1234, map.memory().get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        }
        assertEquals(Errno.EINVAL, errno(() -> client.mmap(0, PAGE, offset + PAGE)));
        assertEquals(Errno.EINVAL, errno(() -> client.mmap(0, 2 * PAGE, offset)));
        Client other = clients.spawn("other", false);
        open(other);
        assertEquals(Errno.EACCES, errno(() -> other.mmap(0, PAGE, offset)), "no handle in that file");
        bo.put();
        gem.closeHandle(file, 1);
        assertFalse(bo.isFreed(), "the mapping keeps it");
        client.memory().unmap(address);
        assertTrue(bo.isFreed());
        assertEquals(Errno.EFAULT, errno(() -> client.memory().readInt(address)));
    }

    /**
     * Exit is one transition: an mmap, an open or a PRIME export racing it either lands before
     * (and is released by the exit) or is refused. Before, what was installed or mapped while
     * exit closed the descriptors survived it and kept its DRM file and GEM object forever. Each
     * round races a thread doing all three in a loop against the exit; afterwards the object is
     * freed and every DRM file the client opened was closed.
     */
    @Test
    void nothingOpenedMappedOrExportedDuringExitOutlivesIt() throws Exception {
        long stillOpen = driver.events.stream().filter(e -> e.startsWith("open")).count(); // this test's own client
        for (int round = 0; round < 300; round++) {
            Client c = clients.spawn("exiting", false);
            DrmFile f = open(c);
            for (int i = 0; i < 6; i++) {
                open(c); // more descriptors for the exit to walk: a wider window
            }
            ShmemObject bo = gem.createShmem(device, PAGE, funcs, "exit-race");
            int handle = gem.createHandle(f, bo);
            long offset = bo.mmapOffset();
            bo.put();
            java.util.concurrent.CountDownLatch racing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> unexpected = new java.util.concurrent.atomic.AtomicReference<>();
            Thread racer = Thread.ofPlatform().start(() -> {
                boolean mapping = true;
                boolean opening = true;
                boolean exporting = true;
                racing.countDown();
                while (mapping || opening || exporting) {
                    try {
                        if (mapping) {
                            c.mmap(0, PAGE, offset);
                        }
                    } catch (DrmException e) {
                        mapping = false;
                    }
                    try {
                        if (opening) {
                            c.open("renderD128");
                        }
                    } catch (DrmException e) {
                        opening = false;
                    }
                    try {
                        if (exporting) {
                            gem.exportHandle(f, handle, 0);
                        }
                    } catch (DrmException e) {
                        exporting = false;
                    } catch (RuntimeException | Error e) {
                        unexpected.set(e);
                        return;
                    }
                }
            });
            racing.await();
            c.exit();
            racer.join();
            assertEquals(null, unexpected.get());
            assertTrue(bo.isFreed(), "round " + round + ": the object outlived the exit");
            long opened = driver.events.stream().filter(e -> e.startsWith("open")).count();
            long closed = hooks.stream().filter(h -> h.equals("postclose")).count();
            assertEquals(stillOpen, opened - closed, "round " + round + ": DRM files still open after the exit");
        }
    }

    @Test
    void primeExportImportGivesTheSameHandleTwice() throws DrmException {
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "p");
        int handle = gem.createHandle(file, bo);
        bo.put();
        int fd = gem.exportHandle(file, handle, GemManager.DRM_CLOEXEC | GemManager.DRM_RDWR);
        assertEquals(handle, gem.importFd(file, fd), "our own export comes back as the same handle");
        Client other = clients.spawn("other", false);
        DrmFile otherFile = open(other);
        // pass the dma-buf to the other process (SCM_RIGHTS)
        int passed = other.install(client.lookup(fd, DmaBuf.class));
        int imported = gem.importFd(otherFile, passed);
        assertEquals(imported, gem.importFd(otherFile, passed));
        GemObject same = gem.lookup(otherFile, imported);
        assertEquals(bo, same);
        same.put();
        assertEquals(Errno.EINVAL, errno(() -> gem.exportHandle(file, handle, 0x40)));
        assertEquals(Errno.ENOENT, errno(() -> gem.exportHandle(file, 99, 0)));
        assertEquals(Errno.EBADF, errno(() -> gem.importFd(file, 42)));
        assertEquals(Errno.EINVAL, errno(() -> gem.importFd(file, 0)), "fd 0 is the DRM file, not a dma-buf");
        client.exit();
        assertFalse(bo.isFreed(), "the other process still holds it");
        other.exit();
        assertTrue(bo.isFreed());
        assertEquals(1, hooks.stream().filter(h -> h.equals("free p")).count(), "freed exactly once");
    }

    @Test
    void nonExportableObjectsAreRefused() throws DrmException {
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "private");
        bo.setExportable(false);
        int handle = gem.createHandle(file, bo);
        assertEquals(Errno.EINVAL, errno(() -> gem.exportHandle(file, handle, 0)));
        assertEquals(1, client.openFiles(), "no descriptor left behind");
    }

    @Test
    void importFromAnotherDeviceSharesThePages() throws DrmException {
        DrmDevice second = core.register(new TestDriver(), null);
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "shared");
        int handle = gem.createHandle(file, bo);
        int fd = gem.exportHandle(file, handle, 0);
        int fd2 = client.open(second.renderNode());
        DrmFile secondFile = client.lookup(fd2, DeviceFile.class);
        int imported = gem.importFd(secondFile, fd);
        ShmemObject there = gem.lookupShmem(secondFile, imported);
        assertNotEquals(bo, there);
        assertEquals(second, there.device());
        try (ShmemMapping a = bo.vmap(); ShmemMapping b = there.vmap()) {
            a.memory().set(ValueLayout.JAVA_INT, 0, 77);
            assertEquals(77, b.memory().get(ValueLayout.JAVA_INT, 0));
        }
        there.put();
        bo.put();
        client.exit();
        assertTrue(bo.isFreed());
        assertEquals(0, pool.usedBytes());
    }

    @Test
    void primeIoctlsRoundTrip() throws DrmException {
        ShmemObject bo = gem.createShmem(device, PAGE, funcs, "io");
        int handle = gem.createHandle(file, bo);
        bo.put();
        long arg = client.memory().map(64);
        client.memory().writeInt(arg, handle);
        client.memory().writeInt(arg + 4, GemManager.DRM_CLOEXEC);
        client.ioctl(0, PRIME_HANDLE_TO_FD, arg);
        int fd = client.memory().readInt(arg + 8);
        assertEquals(1, fd);
        client.memory().writeInt(arg, 0);
        client.ioctl(0, PRIME_FD_TO_HANDLE, arg);
        assertEquals(handle, client.memory().readInt(arg));
        client.memory().writeInt(arg, handle);
        client.ioctl(0, GEM_CLOSE, arg);
        assertEquals(0, gem.handleCount(file));
        assertFalse(bo.isFreed(), "the dma-buf descriptor still holds it");
        client.close(fd);
        assertTrue(bo.isFreed());
    }
}
