package kiln.drm.impl.syncobj;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.file.FenceFile;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.client.FileDescription;

/**
 * A sync_file: a descriptor for one fence ({@code drivers/dma-buf/sync_file.c}) with its two
 * ioctls, MERGE and FILE_INFO, and SET_DEADLINE accepted (Kiln's fences have no deadlines). Kiln's
 * fences record no signal time: {@code timestamp_ns} is 0 (the kernel leaves it 0 for a fence not
 * signalled).
 */
final class SyncFile implements FileDescription, FenceFile {
    private static final int TYPE = '>';
    /** {@code struct sync_merge_data { char name[32]; s32 fd2; s32 fence; u32 flags; u32 pad; }}. */
    static final int MERGE = IoctlNumber.encode(IoctlNumber.READ | IoctlNumber.WRITE, TYPE, 3, 48);
    /** {@code struct sync_file_info { char name[32]; s32 status; u32 flags; u32 num_fences; u32 pad; u64 sync_fence_info; }}. */
    static final int FILE_INFO = IoctlNumber.encode(IoctlNumber.READ | IoctlNumber.WRITE, TYPE, 4, 56);
    /** {@code struct sync_set_deadline { u64 deadline_ns; u64 pad; }}. */
    static final int SET_DEADLINE = IoctlNumber.encode(IoctlNumber.WRITE, TYPE, 5, 16);
    /** {@code struct sync_fence_info { char obj_name[32]; char driver_name[32]; s32 status; u32 flags; u64 timestamp_ns; }}. */
    static final int FENCE_INFO_SIZE = 80;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DmaFence fence;
    private final FenceFactory fences;
    /** The name MERGE gave it, or null: then the fence's own ({@code sync_file_get_name}). */
    private final String name;

    SyncFile(DmaFence fence, FenceFactory fences) {
        this(fence, fences, null);
    }

    private SyncFile(DmaFence fence, FenceFactory fences, String name) {
        this.fence = fence;
        this.fences = fences;
        this.name = name;
    }

    @Override
    public DmaFence fence() {
        return fence;
    }

    @Override
    public void release() {
        // holds nothing but the fence reference, which the collector reclaims
    }

    String name() {
        return name != null ? name
                : fence.driverName() + "-" + fence.timelineName() + fence.context() + "-" + fence.seqno();
    }

    @Override
    public int ioctl(Client caller, int cmd, long arg) throws DrmException {
        if (cmd == MERGE) {
            return merge(caller, arg);
        }
        if (cmd == FILE_INFO) {
            return info(caller, arg);
        }
        if (cmd == SET_DEADLINE) {
            MemorySegment data = copyIn(caller, arg, 16);
            if (data.get(U64, 8) != 0) {
                throw DrmException.quiet(Errno.EINVAL, "SYNC_IOC_SET_DEADLINE pad");
            }
            return 0;
        }
        throw DrmException.quiet(Errno.ENOTTY, "sync_file takes no ioctl " + IoctlNumber.toString(cmd));
    }

    /** {@code sync_file_ioctl_merge}: a new sync file for both fences (newest per context), close-on-exec. */
    private int merge(Client caller, long arg) throws DrmException {
        MemorySegment data = copyIn(caller, arg, 48);
        if (data.get(U32, 40) != 0 || data.get(U32, 44) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "SYNC_IOC_MERGE flags or pad");
        }
        SyncFile other;
        try {
            other = caller.lookup(data.get(U32, 32), SyncFile.class);
        } catch (DrmException e) {
            throw DrmException.quiet(Errno.ENOENT, "fd2 " + data.get(U32, 32) + " is not a sync file");
        }
        byte[] raw = data.asSlice(0, 31).toArray(ValueLayout.JAVA_BYTE);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        SyncFile merged = new SyncFile(fences.unwrapMerge(List.of(fence, other.fence)), fences,
                new String(raw, 0, end, StandardCharsets.UTF_8));
        int fd = caller.install(merged);
        data.set(U32, 36, fd);
        try {
            caller.memory().copyOut(data, 0, arg, 48);
        } catch (DrmException e) {
            caller.close(fd);
            throw e;
        }
        return 0;
    }

    /** {@code sync_file_ioctl_fence_info}: the count alone when asked for none, else every fence. */
    private int info(Client caller, long arg) throws DrmException {
        MemorySegment data = copyIn(caller, arg, 56);
        if (data.get(U32, 36) != 0 || data.get(U32, 44) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "SYNC_IOC_FILE_INFO flags or pad");
        }
        List<DmaFence> members = fences.unwrap(fence);
        int asked = data.get(U32, 40);
        if (asked != 0) {
            if (Integer.compareUnsigned(asked, members.size()) < 0) {
                throw DrmException.quiet(Errno.EINVAL, "room for " + asked + " fences, " + members.size() + " needed");
            }
            MemorySegment infos = MemorySegment.ofArray(new byte[FENCE_INFO_SIZE * members.size()]);
            for (int i = 0; i < members.size(); i++) {
                DmaFence f = members.get(i);
                long at = (long) i * FENCE_INFO_SIZE;
                putString(infos, at, f.timelineName());
                putString(infos, at + 32, f.driverName());
                infos.set(U32, at + 64, f.status());
            }
            caller.memory().copyOut(infos, 0, data.get(U64, 48), infos.byteSize());
        }
        data.asSlice(0, 32).fill((byte) 0);
        putString(data, 0, name());
        data.set(U32, 32, fence.status());
        data.set(U32, 40, members.size());
        caller.memory().copyOut(data, 0, arg, 56);
        return 0;
    }

    private static void putString(MemorySegment target, long at, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, at, Math.min(31, bytes.length));
    }

    private static MemorySegment copyIn(Client caller, long arg, int size) throws DrmException {
        MemorySegment data = MemorySegment.ofArray(new byte[size]);
        caller.memory().copyIn(arg, data, 0, size);
        return data;
    }

    @Override
    public String toString() {
        return "sync_file " + name();
    }
}
