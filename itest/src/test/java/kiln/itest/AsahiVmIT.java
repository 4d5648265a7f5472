package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.*;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.client.drm.AsahiDevice;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * VMs and GEM objects through the asahi UAPI: VM_CREATE/DESTROY, GEM_CREATE, GEM_MMAP_OFFSET,
 * GEM_BIND (BIND, UNBIND, UNBIND_ALL), each success path and each validation rule with its
 * errno, and two clients that cannot reach each other's VMs or handles.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AsahiVmIT extends KilnTestBase {
    private static final long SIZE = 3 * 16384;
    private Client alice;
    private Client bob;
    private AsahiDevice a;
    private AsahiDevice b;

    @Before
    public void open() throws Exception {
        String node = (String) asahiDevice("t8103").getProperty(DrmDevice.RENDER_NODE);
        alice = service(ClientFactory.class).spawn("alice", false);
        bob = service(ClientFactory.class).spawn("bob", false);
        a = AsahiDevice.open(alice, node);
        b = AsahiDevice.open(bob, node);
    }

    @After
    public void close() {
        alice.exit();
        bob.exit();
    }

    @Test
    public void vmsHavePerFileIds() throws Exception {
        assertEquals(1, a.vmCreate());
        assertEquals(2, a.vmCreate());
        assertEquals("bob's ids are his own", 1, b.vmCreate());
        a.vmDestroy(2);
        expect(Errno.ENOENT, () -> a.vmDestroy(2));
        expect(Errno.ENOENT, () -> b.vmDestroy(2));
        alice.memory().writeLong(a.argBuffer(), 1);
        expect(Errno.EINVAL, () -> a.ioctl(AsahiIoctl.VM_CREATE));
        assertEquals(3, a.vmCreate());
    }

    @Test
    public void objectsAreCreatedRoundedAndMappedIntoTheClient() throws Exception {
        int vm = a.vmCreate();
        int h = a.gemCreate(SIZE - 100, 0, 0);
        assertNotEquals(0, h);
        long cpu = a.mmap(h, SIZE);
        alice.memory().writeLong(cpu + SIZE - 8, 0x1234);
        assertEquals(0x1234, alice.memory().readLong(cpu + SIZE - 8));
        expect(Errno.EINVAL, () -> a.gemCreate(SIZE, 1 << 5, 0));
        expect(Errno.EINVAL, () -> a.gemCreate(SIZE, 0, vm));
        expect(Errno.ENOENT, () -> a.gemCreate(SIZE, GEM_VM_PRIVATE, 99));
        expect(Errno.ENOENT, () -> a.gemMmapOffset(h + 100));
        expect(Errno.ENOENT, () -> b.gemMmapOffset(h));
        assertNotEquals(0, a.gemCreate(SIZE, GEM_VM_PRIVATE | GEM_WRITEBACK, vm));
    }

    @Test
    public void bindFollowsEveryRule() throws Exception {
        int vm = a.vmCreate();
        int other = a.vmCreate();
        int h = a.gemCreate(SIZE, 0, 0);
        int h2 = a.gemCreate(SIZE, 0, 0);
        long at = VM_USER_START;
        a.bind(h, vm, SIZE, at);
        expect(Errno.EBUSY, () -> a.bind(h, vm, SIZE, at + 0x100000));
        expect(Errno.ENOSPC, () -> a.bind(h2, vm, SIZE, at + 16384));
        a.bind(h, other, SIZE, at);
        a.bind(h2, vm, SIZE, VM_SHADER_START);
        expect(Errno.EINVAL, () -> a.gemBind(BIND_OP_BIND, BIND_READ, h2, other, 16384, SIZE, at));
        expect(Errno.EINVAL, () -> a.gemBind(BIND_OP_BIND, BIND_READ, h2, other, 0, SIZE, at + 100));
        expect(Errno.EINVAL, () -> a.gemBind(BIND_OP_BIND, BIND_READ | 8, h2, other, 0, SIZE, at + SIZE));
        expect(Errno.EINVAL, () -> a.gemBind(BIND_OP_BIND, 0, h2, other, 0, SIZE, at + SIZE));
        expect(Errno.EINVAL, () -> a.gemBind(BIND_OP_BIND, BIND_READ, h2, other, 0, 16384, at + SIZE));
        expect(Errno.EINVAL, () -> a.bind(h2, other, SIZE, 0x10_0000_0000L));
        expect(Errno.EINVAL, () -> a.bind(h2, other, SIZE, VM_SHADER_END + 1 - 16384));
        expect(Errno.EINVAL, () -> a.bind(h2, other, SIZE, VM_USER_END + 1 - 16384));
        expect(Errno.ENOENT, () -> a.bind(h2, 99, SIZE, at + SIZE));
        expect(Errno.ENOENT, () -> a.bind(999, other, SIZE, at + SIZE));
        expect(Errno.EINVAL, () -> a.gemBind(7, 0, h2, other, 0, 0, 0));
        int priv = a.gemCreate(SIZE, GEM_VM_PRIVATE, vm);
        expect(Errno.EINVAL, () -> a.bind(priv, other, SIZE, at + SIZE));
        a.gemBind(BIND_OP_BIND, BIND_READ, priv, vm, 0, SIZE, at + 2 * SIZE);
        alice.memory().writeLong(a.argBuffer(), 1);
        expect(Errno.EINVAL, () -> a.ioctl(AsahiIoctl.GEM_BIND));

        // UNBIND: exactly the mapping, then the range is free again
        expect(Errno.ENOENT, () -> a.gemBind(BIND_OP_UNBIND, 0, h, vm, 0, SIZE, at + 16384));
        a.gemBind(BIND_OP_UNBIND, 0, h, vm, 0, SIZE, at);
        a.bind(h2 == h ? h : h, vm, SIZE, at);
        // UNBIND_ALL: only with nothing else set; vm 0 = every mapping this file made
        expect(Errno.EINVAL, () -> a.gemBind(BIND_OP_UNBIND_ALL, 0, h, 0, 0, SIZE, 0));
        a.gemBind(BIND_OP_UNBIND_ALL, 0, h, 0, 0, 0, 0);
        a.bind(h, other, SIZE, at);
        a.gemBind(BIND_OP_UNBIND_ALL, 0, h, other, 0, 0, 0);
        a.bind(h, other, SIZE, at);
    }

    @Test
    public void anotherClientCannotUseMyVmsOrHandles() throws Exception {
        int vm = a.vmCreate();
        int h = a.gemCreate(SIZE, 0, 0);
        expect(Errno.ENOENT, () -> b.bind(h, vm, SIZE, VM_USER_START));
        int hb = b.gemCreate(SIZE, 0, 0);
        expect(Errno.ENOENT, () -> b.bind(hb, vm, SIZE, VM_USER_START));
        int vb = b.vmCreate();
        b.bind(hb, vb, SIZE, VM_USER_START);
        a.bind(h, vm, SIZE, VM_USER_START);
    }

    @Test
    public void anotherClientCannotUseMyQueuesOrMemory() throws Exception {
        int vm = a.vmCreate();
        int q = a.queueCreate(vm, QUEUE_CAP_COMPUTE, 0);
        int h = a.gemCreate(SIZE, 0, 0);
        long offset = a.gemMmapOffset(h);
        // queue ids are per file: bob has none, whatever number alice's has
        expect(Errno.ENOENT, () -> b.submit(q, java.util.List.of(), java.util.List.of(),
                java.util.List.of(AsahiDevice.Compute.of(VM_USER_START, VM_USER_START)), 0));
        expect(Errno.ENOENT, () -> b.queueDestroy(q));
        // a fake offset only maps through the file whose handle made it
        expect(Errno.EACCES, () -> bob.mmap(b.fd(), SIZE, offset));
        long mine = alice.mmap(a.fd(), SIZE, offset);
        alice.memory().writeLong(mine, 0x1234);
        assertEquals(0x1234, alice.memory().readLong(mine));
        a.queueDestroy(q);
    }
}
