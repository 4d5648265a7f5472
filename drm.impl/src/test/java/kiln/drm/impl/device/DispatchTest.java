package kiln.drm.impl.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.Fixtures;

class DispatchTest {
    private DrmCore core;
    private TestDriver driver;
    private DrmDevice device;
    private Client client;
    private long buf;

    @BeforeEach
    void setUp() throws DrmException {
        core = Fixtures.core();
        driver = new TestDriver();
        device = core.register(driver, null);
        client = Fixtures.clients(core).spawn("test", false);
        buf = client.memory().map(4096);
    }

    private static Errno errno(Call call) {
        return assertThrows(DrmException.class, call::run).errno();
    }

    interface Call {
        void run() throws Exception;
    }

    @Test
    void nodesAndMinorsAreTheKernels() throws DrmException {
        assertEquals("renderD128", device.renderNode());
        assertEquals("card0", device.primaryNode());
        DrmDevice second = core.register(new TestDriver(), null);
        assertEquals("renderD129", second.renderNode());
        assertEquals(List.of(device, second), core.devices());
    }

    @Test
    void roundTripCopiesInAndOut() throws DrmException {
        int fd = client.open("renderD128");
        client.memory().writeLong(buf, 41);
        assertEquals(0, client.ioctl(fd, TestDriver.ADD_ONE, buf));
        assertEquals(42, client.memory().readLong(buf + 8));
    }

    @Test
    void shortClientStructIsZeroExtendedAndLongOneTruncated() throws DrmException {
        int fd = client.open("renderD128");
        // an old client knows only the first 8 bytes: the handler reads 0 beyond, and nothing past 8 is written
        client.memory().writeLong(buf, 7);
        client.memory().writeLong(buf + 8, 0x5555);
        client.ioctl(fd, IoctlNumber.iowr(0x40, 8), buf);
        assertEquals(0x5555, client.memory().readLong(buf + 8), "out copy limited to the client's size");
        // a newer client sends 24 bytes: the handler sees 16, the extra 8 come back unchanged
        client.memory().writeLong(buf, 9);
        client.memory().writeLong(buf + 16, 0x7777);
        client.ioctl(fd, IoctlNumber.iowr(0x40, 24), buf);
        assertEquals(10, client.memory().readLong(buf + 8));
        assertEquals(0x7777, client.memory().readLong(buf + 16));
    }

    @Test
    void unknownNumbersAnswerLikeLinux() throws DrmException {
        int fd = client.open("renderD128");
        assertEquals(Errno.ENOTTY, errno(() -> client.ioctl(fd, IoctlNumber.encode(3, 'x', 0x40, 16), buf)));
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(fd, IoctlNumber.iowr(0x50, 16), buf)), "beyond the table");
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(fd, IoctlNumber.iowr(0x04, 16), buf)), "empty core slot (GET_MAP, gone with legacy)");
        assertEquals(Errno.EBADF, errno(() -> client.ioctl(fd + 1, TestDriver.ADD_ONE, buf)));
    }

    @Test
    void badPointersFaultAndChangeNothing() throws DrmException {
        int fd = client.open("renderD128");
        assertEquals(Errno.EFAULT, errno(() -> client.ioctl(fd, TestDriver.ADD_ONE, 0)));
        assertEquals(Errno.EFAULT, errno(() -> client.ioctl(fd, TestDriver.ADD_ONE, buf + 16 * 1024 - 8)),
                "struct straddles the end of the mapping");
        assertEquals(Errno.EFAULT, errno(() -> client.ioctl(fd, TestDriver.ADD_ONE, buf - 8)));
        long gone = client.memory().map(4096);
        client.memory().unmap(gone);
        assertEquals(Errno.EFAULT, errno(() -> client.ioctl(fd, TestDriver.ADD_ONE, gone)));
    }

    @Test
    void failingHandlerStillCopiesOutLikeDrmIoctl() throws DrmException {
        int fd = client.open("renderD128");
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(fd, TestDriver.FAIL, buf)));
        assertEquals(0xdead, client.memory().readLong(buf));
    }

    @Test
    void permissionsFollowDrmIoctlPermit() throws DrmException {
        int render = client.open("renderD128");
        assertEquals(Errno.EACCES, errno(() -> client.ioctl(render, TestDriver.MASTER, 0)), "no RENDER_ALLOW");
        assertEquals(Errno.EACCES, errno(() -> client.ioctl(render, TestDriver.ROOT, buf)), "ROOT_ONLY");
        int primary = client.open("card0");
        assertEquals(0, client.ioctl(primary, TestDriver.MASTER, 0), "the first primary opener is master");
        Client other = Fixtures.clients(core).spawn("other", false);
        long otherBuf = other.memory().map(64);
        int notMaster = other.open("card0");
        assertEquals(Errno.EACCES, errno(() -> other.ioctl(notMaster, TestDriver.MASTER, 0)));
        assertEquals(Errno.EACCES, errno(() -> other.ioctl(notMaster, TestDriver.ADD_ONE, otherBuf)),
                "AUTH needs authentication on the primary node");
        Client root = Fixtures.clients(core).spawn("root", true);
        long rootBuf = root.memory().map(64);
        int rootFd = root.open("renderD128");
        assertEquals(0, root.ioctl(rootFd, TestDriver.ROOT, rootBuf));
    }

    @Test
    void versionAndCapsAreTheCoreIoctls() throws DrmException {
        int fd = client.open("renderD128");
        long name = buf + 1024;
        long desc = buf + 2048;
        client.memory().writeLong(buf + 16, 4);        // name_len: too short for "testdrv"
        client.memory().writeLong(buf + 24, name);
        client.memory().writeLong(buf + 48, 100);      // desc_len
        client.memory().writeLong(buf + 56, desc);
        client.ioctl(fd, CoreIoctls.VERSION, buf);
        assertEquals(1, client.memory().readInt(buf));
        assertEquals(2, client.memory().readInt(buf + 4));
        assertEquals(3, client.memory().readInt(buf + 8));
        assertEquals(7, client.memory().readLong(buf + 16), "the full length comes back");
        assertEquals(8, client.memory().readLong(buf + 32), "date length reported with a NULL buffer");
        assertEquals("test", read(name, 4));
        assertEquals("Kiln test driver", read(desc, 16));
        client.memory().writeLong(buf, CoreIoctls.CAP_SYNCOBJ);
        client.ioctl(fd, CoreIoctls.GET_CAP, buf);
        assertEquals(1, client.memory().readLong(buf + 8));
        client.memory().writeLong(buf, CoreIoctls.CAP_SYNCOBJ_TIMELINE);
        client.ioctl(fd, CoreIoctls.GET_CAP, buf);
        assertEquals(0, client.memory().readLong(buf + 8));
        client.memory().writeLong(buf, 0x10);
        assertEquals(Errno.EOPNOTSUPP, errno(() -> client.ioctl(fd, CoreIoctls.GET_CAP, buf)));
    }

    private String read(long address, int length) throws DrmException {
        MemorySegment copy = MemorySegment.ofArray(new byte[length]);
        client.memory().copyIn(address, copy, 0, length);
        return new String(copy.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void filesOpenAndCloseThroughTheDriverHooks() throws DrmException {
        int a = client.open("renderD128");
        int b = client.open("card0");
        assertEquals(0, a);
        assertEquals(1, b);
        client.close(a);
        assertEquals(0, client.open("renderD128"), "lowest free descriptor first");
        assertEquals(Errno.EBADF, errno(() -> client.close(7)));
        assertEquals(Errno.ENOENT, errno(() -> client.open("renderD200")));
        driver.refuseOpen = Errno.EPERM;
        assertEquals(Errno.EPERM, errno(() -> client.open("renderD128")));
        assertEquals(2, client.openFiles(), "a refused open leaves no descriptor");
        client.exit();
        assertTrue(client.exited());
        assertEquals(List.of("open render", "open primary", "postclose private of test", "open render",
                "postclose private of test", "postclose private of test"), driver.events);
        assertEquals(0, device.files().size());
        assertEquals(0, client.memory().mappedBytes());
    }

    @Test
    void unplugLetsInFlightCallsFinishThenAnswersEnodev() throws Exception {
        int fd = client.open("renderD128");
        Thread inFlight = Thread.ofPlatform().start(() -> {
            try {
                client.ioctl(fd, TestDriver.BLOCK, 0);
            } catch (DrmException e) {
                driver.events.add("block failed " + e.errno());
            }
        });
        assertTrue(driver.blocked.await(10, TimeUnit.SECONDS));
        Thread unplugger = Thread.ofPlatform().start(device::unplug);
        while (!device.isUnplugged()) {
            Thread.onSpinWait();
        }
        assertEquals(Errno.ENODEV, errno(() -> client.ioctl(fd, TestDriver.ADD_ONE, buf)));
        unplugger.join(100);
        assertTrue(unplugger.isAlive(), "unplug waits for the call inside the driver");
        driver.release.countDown();
        inFlight.join();
        unplugger.join();
        assertTrue(driver.events.contains("block done"));
        assertFalse(core.node("renderD128").isPresent());
        assertEquals(Errno.ENOENT, errno(() -> client.open("renderD128")));
        client.close(fd);
        assertTrue(driver.events.contains("postclose private of test"), "close still works after unplug");
    }

    @Test
    void tablesWithGapsAreRefused() {
        TestDriver gappy = new TestDriver() {
            @Override
            public List<IoctlDescriptor> ioctls() {
                return List.of(new IoctlDescriptor(IoctlNumber.io(0x41), "GAP", 0, (f, a) -> 0));
            }
        };
        assertEquals(Errno.EINVAL, errno(() -> core.register(gappy, null)));
    }
}
