package kiln.drm.impl.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.Fixtures;

/**
 * The core's file ioctls with the kernel's answers: master handover (SET_MASTER, DROP_MASTER and
 * who may), GET_MAGIC / AUTH_MAGIC (a token works once), GET_CLIENT, GET_UNIQUE, SET_VERSION,
 * GET_STATS; none of them on a render node; KMS ioctls EOPNOTSUPP (master ones EACCES first).
 */
class FileIoctlsTest {
    private DrmDevice device;
    private ClientFactory clients;
    private Client user;
    private Client root;
    private long buf;
    private long rootBuf;

    @BeforeEach
    void setUp() throws DrmException {
        DrmCore core = Fixtures.core();
        device = core.register(new TestDriver(), null);
        clients = Fixtures.clients(core);
        user = clients.spawn("user", false);
        root = clients.spawn("compositor", true);
        buf = user.memory().map(4096);
        rootBuf = root.memory().map(4096);
    }

    private static Errno errno(Call call) {
        return assertThrows(DrmException.class, call::run).errno();
    }

    interface Call {
        void run() throws Exception;
    }

    @Test
    void theFirstOpenerIsMasterAndOnlyItOrPrivilegeMovesMastership() throws DrmException {
        int first = user.open("card0");
        int second = user.open("card0");
        DeviceFile a = user.lookup(first, DeviceFile.class);
        DeviceFile b = user.lookup(second, DeviceFile.class);
        assertTrue(a.isMaster());
        assertFalse(b.isMaster());
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(second, FileIoctls.SET_MASTER, 0)), "never master, not privileged");
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(second, FileIoctls.DROP_MASTER, 0)), "permission comes first");
        user.ioctl(first, FileIoctls.DROP_MASTER, 0);
        assertFalse(a.isMaster());
        user.ioctl(first, FileIoctls.SET_MASTER, 0); // its own former mastership back
        assertTrue(a.isMaster());
        int theirs = root.open("card0");
        assertEquals(Errno.EBUSY, errno(() -> root.ioctl(theirs, FileIoctls.SET_MASTER, 0)));
        assertEquals(Errno.EINVAL, errno(() -> root.ioctl(theirs, FileIoctls.DROP_MASTER, 0)), "privileged, but not master");
        user.ioctl(first, FileIoctls.SET_MASTER, 0); // already master: 0
        int render = user.open("renderD128");
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(render, FileIoctls.SET_MASTER, 0)), "not on a render node");
    }

    @Test
    void aMagicAuthenticatesOnce() throws DrmException {
        int master = root.open("card0");
        int other = user.open("card0");
        DeviceFile file = user.lookup(other, DeviceFile.class);
        assertFalse(file.isAuthenticated());
        user.ioctl(other, FileIoctls.GET_MAGIC, buf);
        int magic = user.memory().readInt(buf);
        assertTrue(magic > 0);
        user.ioctl(other, FileIoctls.GET_MAGIC, buf);
        assertEquals(magic, user.memory().readInt(buf), "the same token again");
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(other, FileIoctls.AUTH_MAGIC, buf)), "AUTH_MAGIC is the master's");
        root.memory().writeInt(rootBuf, magic);
        root.ioctl(master, FileIoctls.AUTH_MAGIC, rootBuf);
        assertTrue(file.isAuthenticated());
        assertEquals(Errno.EINVAL, errno(() -> root.ioctl(master, FileIoctls.AUTH_MAGIC, rootBuf)), "a token works once");
        root.memory().writeInt(rootBuf, 9999);
        assertEquals(Errno.EINVAL, errno(() -> root.ioctl(master, FileIoctls.AUTH_MAGIC, rootBuf)));
    }

    @Test
    void clientUniqueVersionAndStatsAnswerAsTheKernels() throws DrmException {
        int fd = user.open("card0");
        user.memory().writeInt(buf, 1);
        assertEquals(Errno.EINVAL, errno(() -> user.ioctl(fd, FileIoctls.GET_CLIENT, buf)), "only index 0");
        user.memory().writeInt(buf, 0);
        user.ioctl(fd, FileIoctls.GET_CLIENT, buf);
        assertEquals(1, user.memory().readInt(buf + 4), "authenticated: the master");
        assertEquals(user.pid(), user.memory().readLong(buf + 8));

        String unique = device.unique();
        assertEquals("206400000.gpu", unique);
        user.memory().writeLong(buf, 0);
        user.ioctl(fd, FileIoctls.GET_UNIQUE, buf);
        assertEquals(unique.length(), user.memory().readLong(buf), "the length alone when there is no room");
        user.memory().writeLong(buf, 64);
        user.memory().writeLong(buf + 8, buf + 256);
        user.ioctl(fd, FileIoctls.GET_UNIQUE, buf);
        byte[] bytes = new byte[unique.length()];
        user.memory().copyIn(buf + 256, MemorySegment.ofArray(bytes), 0, bytes.length);
        assertEquals(unique, new String(bytes, StandardCharsets.US_ASCII));

        user.memory().writeInt(buf, -1);
        user.memory().writeInt(buf + 4, -1);
        user.memory().writeInt(buf + 8, -1);
        user.memory().writeInt(buf + 12, -1);
        user.ioctl(fd, FileIoctls.SET_VERSION, buf);
        assertEquals(FileIoctls.IF_MAJOR, user.memory().readInt(buf));
        assertEquals(FileIoctls.IF_MINOR, user.memory().readInt(buf + 4));
        user.memory().writeInt(buf, 2);
        assertEquals(Errno.EINVAL, errno(() -> user.ioctl(fd, FileIoctls.SET_VERSION, buf)));
        assertEquals(FileIoctls.IF_MAJOR, user.memory().readInt(buf), "answered even when refused");

        user.memory().writeLong(buf, 77);
        user.ioctl(fd, FileIoctls.GET_STATS, buf);
        assertEquals(0, user.memory().readLong(buf));
        int render = user.open("renderD128");
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(render, FileIoctls.GET_UNIQUE, buf)));
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(render, FileIoctls.GET_MAGIC, buf)));
    }

    @Test
    void kmsIsNotSupportedWithoutModesetting() throws DrmException {
        int master = user.open("card0");
        int other = user.open("card0");
        int getResources = IoctlNumber.iowr(0xA0, 64);
        int setCrtc = IoctlNumber.iowr(0xA2, 104);
        assertEquals(Errno.EOPNOTSUPP, errno(() -> user.ioctl(master, getResources, buf)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> user.ioctl(master, setCrtc, buf)));
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(other, setCrtc, buf)), "a setter needs master first");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> user.ioctl(master, FileIoctls.SET_CLIENT_CAP, buf)));
        assertEquals(Errno.ENOSYS, errno(() -> user.ioctl(master, IoctlNumber.iowr(0xB2, 32), buf)), "no dumb buffers");
        int render = user.open("renderD128");
        assertEquals(Errno.EACCES, errno(() -> user.ioctl(render, getResources, buf)));
    }
}
