package kiln.drm.impl.syncobj;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.client.FileDescription;

/**
 * A sw_sync timeline ({@code drivers/dma-buf/sw_sync.c}), what opening {@code sw_sync} gives: a
 * counter that userspace advances, and fences at values of it handed out as sync files. Tests use
 * it to signal fences from userspace.
 *
 * <ul>
 * <li>CREATE_FENCE: a fence at {@code value} on the timeline, signalled already if the timeline
 * has reached it (32-bit wrap-around comparison, as the kernel's 32-bit seqnos), the same fence
 * for the same value while it is pending; returned as a close-on-exec sync file.</li>
 * <li>INC: advances the timeline by {@code n} (in steps of at most {@code INT_MAX}, as the kernel)
 * and signals every fence it reached, in value order.</li>
 * <li>The last close signals the fences still pending with ENOENT.</li>
 * <li>GET_DEADLINE: no fence ever has a deadline here: ENOENT (EINVAL for a bad descriptor or pad).</li>
 * </ul>
 * Thread-safe: every change is under the timeline's lock; fences signal outside it.
 */
final class SwSync implements FileDescription {
    private static final int TYPE = 'W';
    /** {@code struct sw_sync_create_fence_data { u32 value; char name[32]; s32 fence; }}. */
    static final int CREATE_FENCE = IoctlNumber.encode(IoctlNumber.READ | IoctlNumber.WRITE, TYPE, 0, 40);
    /** {@code __u32}: how far to advance. */
    static final int INC = IoctlNumber.encode(IoctlNumber.WRITE, TYPE, 1, 4);
    /** {@code struct sw_sync_get_deadline { u64 deadline_ns; u32 fence_fd; u32 pad; }}. */
    static final int GET_DEADLINE = IoctlNumber.encode(IoctlNumber.READ | IoctlNumber.WRITE, TYPE, 2, 16);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final FenceFactory fences;
    private final long context;
    private final String name;
    /** Pending fences by value (guarded by this). */
    private final TreeMap<Integer, SignalableFence> pending = new TreeMap<>(Integer::compareUnsigned);
    private int value;
    private int holders;
    private boolean released;

    SwSync(FenceFactory fences, String name) {
        this.fences = fences;
        this.context = fences.allocateContexts(1);
        this.name = name;
    }

    @Override
    public synchronized boolean acquire() {
        if (released) {
            return false;
        }
        holders++;
        return true;
    }

    @Override
    public void release() {
        List<SignalableFence> orphans;
        synchronized (this) {
            if (--holders > 0 || released) {
                return;
            }
            released = true;
            orphans = new ArrayList<>(pending.values());
            pending.clear();
        }
        for (SignalableFence f : orphans) {
            signal(f, Errno.ENOENT);
        }
    }

    @Override
    public int ioctl(Client caller, int cmd, long arg) throws DrmException {
        if (cmd == CREATE_FENCE) {
            return createFence(caller, arg);
        }
        if (cmd == INC) {
            MemorySegment n = MemorySegment.ofArray(new byte[4]);
            caller.memory().copyIn(arg, n, 0, 4);
            long left = Integer.toUnsignedLong(n.get(U32, 0));
            while (left > Integer.MAX_VALUE) {
                advance(Integer.MAX_VALUE);
                left -= Integer.MAX_VALUE;
            }
            advance((int) left);
            return 0;
        }
        if (cmd == GET_DEADLINE) {
            MemorySegment data = MemorySegment.ofArray(new byte[16]);
            caller.memory().copyIn(arg, data, 0, 16);
            if (data.get(U32, 12) != 0) {
                throw DrmException.quiet(Errno.EINVAL, "SW_SYNC_GET_DEADLINE pad");
            }
            SyncFile file;
            try {
                file = caller.lookup(data.get(U32, 8), SyncFile.class);
            } catch (DrmException e) {
                throw DrmException.quiet(Errno.EINVAL, "not a sync file: " + data.get(U32, 8));
            }
            if (file.fence().context() != context) {
                throw DrmException.quiet(Errno.EINVAL, "not a fence of this timeline");
            }
            throw DrmException.quiet(Errno.ENOENT, "no deadline was set");
        }
        throw DrmException.quiet(Errno.ENOTTY, "sw_sync takes no ioctl " + IoctlNumber.toString(cmd));
    }

    private int createFence(Client caller, long arg) throws DrmException {
        MemorySegment data = MemorySegment.ofArray(new byte[40]);
        caller.memory().copyIn(arg, data, 0, 40);
        int at = data.get(U32, 0);
        SignalableFence fence;
        boolean reached;
        synchronized (this) {
            reached = (at - value) <= 0; // not later than the timeline, with wrap-around
            fence = reached ? null : pending.get(at);
            if (fence == null) {
                fence = fences.create(context, Integer.toUnsignedLong(at), "sw_sync", name);
                if (!reached) {
                    pending.put(at, fence);
                }
            }
        }
        if (reached) {
            signal(fence, null);
        }
        int fd = caller.install(new SyncFile(fence, fences));
        data.set(U32, 36, fd);
        try {
            caller.memory().copyOut(data, 0, arg, 40);
        } catch (DrmException e) {
            caller.close(fd);
            throw e;
        }
        return 0;
    }

    private void advance(int by) {
        List<SignalableFence> reached = new ArrayList<>();
        synchronized (this) {
            value += by;
            while (!pending.isEmpty() && (pending.firstKey() - value) <= 0) {
                reached.add(pending.pollFirstEntry().getValue());
            }
        }
        for (SignalableFence f : reached) {
            signal(f, null);
        }
    }

    private static void signal(SignalableFence fence, Errno error) {
        try {
            fence.signal(error);
        } catch (DrmException alreadySignaled) {
            // nothing else signals these
        }
    }

    @Override
    public String toString() {
        return "sw_sync timeline " + name + " at " + Integer.toUnsignedString(value);
    }
}
