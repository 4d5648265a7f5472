package kiln.agx.client.drm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.api.uapi.UapiStruct;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.Client;

/**
 * An open asahi render node, with typed wrappers over its ioctls (the role of libdrm's
 * {@code asahi} helpers): each call encodes the UAPI struct in the client's own memory, issues
 * the ioctl by number and decodes the answer, so everything goes the path any client's does.
 * Errors arrive as the ioctl's {@link DrmException}. One argument buffer per device: not
 * thread-safe; open one per thread.
 */
public final class AsahiDevice implements AutoCloseable {
    private static final int ARG_BYTES = 256;
    private static final int SCRATCH_BYTES = 16384;
    /** The DRM core's syncobj ioctls ({@code drm.h}). */
    private static final int SYNCOBJ_CREATE = kiln.drm.api.ioctl.IoctlNumber.iowr(0xBF, 8);
    private static final int SYNCOBJ_DESTROY = kiln.drm.api.ioctl.IoctlNumber.iowr(0xC0, 8);
    private static final int SYNCOBJ_WAIT = kiln.drm.api.ioctl.IoctlNumber.iowr(0xC3, 40);
    private static final int SYNCOBJ_TIMELINE_WAIT = kiln.drm.api.ioctl.IoctlNumber.iowr(0xCA, 48);
    /** {@code DRM_SYNCOBJ_CREATE_SIGNALED}, {@code DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL}, {@code _WAIT_FOR_SUBMIT}. */
    public static final int SYNCOBJ_CREATE_SIGNALED = 1, SYNCOBJ_WAIT_ALL = 1, SYNCOBJ_WAIT_FOR_SUBMIT = 2;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final UapiStruct SYNC = UapiStruct.SYNC, COMMAND = UapiStruct.COMMAND, COMPUTE = UapiStruct.CMD_COMPUTE,
            RENDER = UapiStruct.CMD_RENDER, ATTACHMENT = UapiStruct.ATTACHMENT, SUBMIT = UapiStruct.SUBMIT;
    private static final long SYNC_TYPE = SYNC.offset("sync_type"), SYNC_HANDLE = SYNC.offset("handle"),
            SYNC_POINT = SYNC.offset("timeline_value");
    private static final long CMD_TYPE = COMMAND.offset("cmd_type"), CMD_BUFFER = COMMAND.offset("cmd_buffer"),
            CMD_BUFFER_SIZE = COMMAND.offset("cmd_buffer_size"), CMD_RESULT_OFFSET = COMMAND.offset("result_offset"),
            CMD_RESULT_SIZE = COMMAND.offset("result_size"), CMD_BARRIERS = COMMAND.offset("barriers");
    private static final long COMPUTE_ENCODER = COMPUTE.offset("encoder_ptr"),
            COMPUTE_ENCODER_END = COMPUTE.offset("encoder_end"), COMPUTE_CMD_ID = COMPUTE.offset("cmd_id");
    private static final long SUBMIT_IN_SYNCS = SUBMIT.offset("in_syncs"), SUBMIT_OUT_SYNCS = SUBMIT.offset("out_syncs"),
            SUBMIT_COMMANDS = SUBMIT.offset("commands"), SUBMIT_QUEUE_ID = SUBMIT.offset("queue_id"),
            SUBMIT_RESULT_HANDLE = SUBMIT.offset("result_handle"), SUBMIT_IN_COUNT = SUBMIT.offset("in_sync_count"),
            SUBMIT_OUT_COUNT = SUBMIT.offset("out_sync_count"), SUBMIT_COMMAND_COUNT = SUBMIT.offset("command_count");
    private final Client client;
    private final int fd;
    private final AddressSpace memory;
    private final long arg;
    private final long scratch;
    /** Where submissions are built before one copy into {@code scratch} (and the ioctl argument after it). */
    private final MemorySegment stage = MemorySegment.ofArray(new byte[SCRATCH_BYTES + ARG_BYTES]);

    private AsahiDevice(Client client, int fd) throws DrmException {
        this.client = client;
        this.fd = fd;
        this.memory = client.memory();
        this.arg = memory.map(ARG_BYTES);
        this.scratch = memory.map(SCRATCH_BYTES);
    }

    /** Opens {@code node} (e.g. {@code renderD128}) for {@code client}. */
    public static AsahiDevice open(Client client, String node) throws DrmException {
        return new AsahiDevice(client, client.open(node));
    }

    public Client client() {
        return client;
    }

    public int fd() {
        return fd;
    }

    /** The address of the argument buffer, to build a raw struct in (tests of malformed input). */
    public long argBuffer() {
        return arg;
    }

    private void clear(UapiStruct s) throws DrmException {
        for (int i = 0; i < s.size(); i += 8) {
            memory.writeLong(arg + i, 0);
        }
    }

    private void put64(UapiStruct s, String field, long value) throws DrmException {
        memory.writeLong(arg + s.offset(field), value);
    }

    private void put32(UapiStruct s, String field, int value) throws DrmException {
        memory.writeInt(arg + s.offset(field), value);
    }

    private int get32(UapiStruct s, String field) throws DrmException {
        return memory.readInt(arg + s.offset(field));
    }

    private long get64(UapiStruct s, String field) throws DrmException {
        return memory.readLong(arg + s.offset(field));
    }

    /** Issues {@code which} with the argument buffer as it stands. */
    public int ioctl(AsahiIoctl which) throws DrmException {
        return client.ioctl(fd, which.number(), arg);
    }

    /**
     * {@code GET_PARAMS}: copies up to {@code size} bytes of {@code drm_asahi_params_global} to
     * client address {@code pointer}; returns the size the driver supports.
     */
    public long getParams(long pointer, long size) throws DrmException {
        UapiStruct s = UapiStruct.GET_PARAMS;
        clear(s);
        put64(s, "pointer", pointer);
        put64(s, "size", size);
        ioctl(AsahiIoctl.GET_PARAMS);
        return get64(s, "size");
    }

    /** {@code VM_CREATE}: the new VM's id. */
    public int vmCreate() throws DrmException {
        clear(UapiStruct.VM_CREATE);
        ioctl(AsahiIoctl.VM_CREATE);
        return get32(UapiStruct.VM_CREATE, "vm_id");
    }

    public void vmDestroy(int vmId) throws DrmException {
        clear(UapiStruct.VM_DESTROY);
        put32(UapiStruct.VM_DESTROY, "vm_id", vmId);
        ioctl(AsahiIoctl.VM_DESTROY);
    }

    /** {@code GEM_CREATE}: the new object's handle. */
    public int gemCreate(long size, int flags, int vmId) throws DrmException {
        UapiStruct s = UapiStruct.GEM_CREATE;
        clear(s);
        put64(s, "size", size);
        put32(s, "flags", flags);
        put32(s, "vm_id", vmId);
        ioctl(AsahiIoctl.GEM_CREATE);
        return get32(s, "handle");
    }

    /** {@code GEM_MMAP_OFFSET}: the fake offset to mmap the object at. */
    public long gemMmapOffset(int handle) throws DrmException {
        UapiStruct s = UapiStruct.GEM_MMAP_OFFSET;
        clear(s);
        put32(s, "handle", handle);
        ioctl(AsahiIoctl.GEM_MMAP_OFFSET);
        return get64(s, "offset");
    }

    /** Maps object {@code handle} of {@code size} bytes into the client; its address there. */
    public long mmap(int handle, long size) throws DrmException {
        return client.mmap(fd, size, gemMmapOffset(handle));
    }

    /** {@code GEM_BIND} with every field given. */
    public void gemBind(int op, int flags, int handle, int vmId, long offset, long range, long addr) throws DrmException {
        UapiStruct s = UapiStruct.GEM_BIND;
        clear(s);
        put32(s, "op", op);
        put32(s, "flags", flags);
        put32(s, "handle", handle);
        put32(s, "vm_id", vmId);
        put64(s, "offset", offset);
        put64(s, "range", range);
        put64(s, "addr", addr);
        ioctl(AsahiIoctl.GEM_BIND);
    }

    /** Binds a whole object read/write at {@code addr}. */
    public void bind(int handle, int vmId, long size, long addr) throws DrmException {
        gemBind(AsahiUapi.BIND_OP_BIND, AsahiUapi.BIND_READ | AsahiUapi.BIND_WRITE, handle, vmId, 0, size, addr);
    }

    /** {@code DRM_IOCTL_SYNCOBJ_CREATE}: a new syncobj's handle. */
    public int syncobjCreate(int flags) throws DrmException {
        memory.writeInt(arg, 0);
        memory.writeInt(arg + 4, flags);
        client.ioctl(fd, SYNCOBJ_CREATE, arg);
        return memory.readInt(arg);
    }

    public void syncobjDestroy(int handle) throws DrmException {
        memory.writeInt(arg, handle);
        memory.writeInt(arg + 4, 0);
        client.ioctl(fd, SYNCOBJ_DESTROY, arg);
    }

    /**
     * {@code DRM_IOCTL_SYNCOBJ_WAIT} on binary syncobjs until the absolute {@code System.nanoTime()}
     * deadline; ETIME if it passes.
     */
    public void syncobjWait(int[] handles, long deadlineNanos, int flags) throws DrmException {
        for (int i = 0; i < handles.length; i++) {
            memory.writeInt(scratch + 4L * i, handles[i]);
        }
        memory.writeLong(arg, scratch);
        memory.writeLong(arg + 8, deadlineNanos);
        memory.writeInt(arg + 16, handles.length);
        memory.writeInt(arg + 20, flags);
        memory.writeLong(arg + 24, 0);
        memory.writeLong(arg + 32, 0);
        client.ioctl(fd, SYNCOBJ_WAIT, arg);
    }

    /** {@code DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT} for one point. */
    public void syncobjTimelineWait(int handle, long point, long deadlineNanos, int flags) throws DrmException {
        memory.writeInt(scratch, handle);
        memory.writeLong(scratch + 8, point);
        memory.writeLong(arg, scratch);
        memory.writeLong(arg + 8, scratch + 8);
        memory.writeLong(arg + 16, deadlineNanos);
        memory.writeInt(arg + 24, 1);
        memory.writeInt(arg + 28, flags);
        memory.writeLong(arg + 32, 0);
        memory.writeLong(arg + 40, 0);
        client.ioctl(fd, SYNCOBJ_TIMELINE_WAIT, arg);
    }

    /** {@code QUEUE_CREATE}: the new queue's id. */
    public int queueCreate(int vmId, int caps, int priority) throws DrmException {
        UapiStruct s = UapiStruct.QUEUE_CREATE;
        clear(s);
        put32(s, "vm_id", vmId);
        put32(s, "queue_caps", caps);
        put32(s, "priority", priority);
        ioctl(AsahiIoctl.QUEUE_CREATE);
        return get32(s, "queue_id");
    }

    public void queueDestroy(int queueId) throws DrmException {
        clear(UapiStruct.QUEUE_DESTROY);
        put32(UapiStruct.QUEUE_DESTROY, "queue_id", queueId);
        ioctl(AsahiIoctl.QUEUE_DESTROY);
    }

    /** A sync of a submission: a binary syncobj ({@code point} 0) or a timeline point. */
    public record Sync(int handle, long point, boolean timeline) {
        public static Sync binary(int handle) {
            return new Sync(handle, 0, false);
        }

        public static Sync timeline(int handle, long point) {
            return new Sync(handle, point, true);
        }
    }

    /** A compute command: its encoder range, id, barriers and where its result goes. */
    public record Compute(long encoder, long encoderEnd, int cmdId, int renderBarrier, int computeBarrier, long resultOffset,
            long resultSize) implements Command {
        /** A command with no barriers and no result. */
        public static Compute of(long encoder, long encoderEnd) {
            return new Compute(encoder, encoderEnd, 0, AsahiUapi.BARRIER_NONE, AsahiUapi.BARRIER_NONE, 0, 0);
        }

        public Compute withResult(long offset) {
            return new Compute(encoder, encoderEnd, cmdId, renderBarrier, computeBarrier, offset,
                    UapiStruct.RESULT_COMPUTE.size());
        }
    }

    /**
     * A render, as Kiln's driver reads {@code drm_asahi_cmd_render}: draw records from
     * {@code encoder} to an all-zero record; a linear RGBA8 colour target (cleared to
     * {@code clearColor} unless {@code loadColor}); optionally a linear float depth target
     * ({@code depth} 0 for none) cleared to {@code clearDepth} unless loaded, stored if asked.
     */
    public record Render(long encoder, int width, int height, long color, boolean loadColor, int clearColor, long depth,
            boolean loadDepth, boolean storeDepth, float clearDepth, int renderBarrier, int computeBarrier,
            long resultOffset, long resultSize) implements Command {
        public static Render of(long encoder, int width, int height, long color, int clearColor, long depth) {
            return new Render(encoder, width, height, color, false, clearColor, depth, false, true, 1.0f,
                    AsahiUapi.BARRIER_NONE, AsahiUapi.BARRIER_NONE, 0, 0);
        }

        public Render withResult(long offset) {
            return new Render(encoder, width, height, color, loadColor, clearColor, depth, loadDepth, storeDepth, clearDepth,
                    renderBarrier, computeBarrier, offset, UapiStruct.RESULT_RENDER.size());
        }
    }

    /** A command of a submission. */
    public sealed interface Command permits Compute, Render {
        long resultOffset();

        long resultSize();

        int renderBarrier();

        int computeBarrier();
    }

    /** {@code SUBMIT} of compute and render commands; returns as soon as they are queued. */
    public void submit(int queueId, List<Sync> in, List<Sync> out, List<? extends Command> commands, int resultHandle)
            throws DrmException {
        int used = SYNC.size() * (in.size() + out.size()) + (COMMAND.size() + RENDER.size() + ATTACHMENT.size()) * commands.size();
        if (used > SCRATCH_BYTES) {
            throw new IllegalArgumentException("submission too large for the scratch buffer");
        }
        // Built in the process's own staging memory, then copied to the scratch mapping at once,
        // as a real process writes structs in its memory before the ioctl.
        MemorySegment st = stage.asSlice(0, used);
        st.fill((byte) 0);
        int at = 0;
        int inAt = at;
        at = stageSyncs(st, at, in);
        int outAt = at;
        at = stageSyncs(st, at, out);
        int commandsAt = at;
        int b = at + COMMAND.size() * commands.size();
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            int cmd = commandsAt + i * COMMAND.size();
            st.set(U64, cmd + CMD_BUFFER, scratch + b);
            st.set(U64, cmd + CMD_RESULT_OFFSET, c.resultOffset());
            st.set(U64, cmd + CMD_RESULT_SIZE, c.resultSize());
            st.set(U32, cmd + CMD_BARRIERS, c.renderBarrier());
            st.set(U32, cmd + CMD_BARRIERS + 4, c.computeBarrier());
            if (c instanceof Compute k) {
                st.set(U32, cmd + CMD_TYPE, AsahiUapi.CMD_COMPUTE);
                st.set(U64, cmd + CMD_BUFFER_SIZE, COMPUTE.size());
                st.set(U64, b + COMPUTE_ENCODER, k.encoder());
                st.set(U64, b + COMPUTE_ENCODER_END, k.encoderEnd());
                st.set(U32, b + COMPUTE_CMD_ID, k.cmdId());
                b += COMPUTE.size();
            } else if (c instanceof Render r) {
                int att = b + RENDER.size();
                st.set(U32, cmd + CMD_TYPE, AsahiUapi.CMD_RENDER);
                st.set(U64, cmd + CMD_BUFFER_SIZE, RENDER.size());
                st.set(U64, b + RENDER.offset("encoder_ptr"), r.encoder());
                st.set(U64, b + RENDER.offset("attachments"), scratch + att);
                st.set(U32, b + RENDER.offset("attachment_count"), 1);
                st.set(U32, att + ATTACHMENT.offset("type"), AsahiUapi.ATTACHMENT_C);
                st.set(U32, att + ATTACHMENT.offset("size"), 4 * r.width() * r.height());
                st.set(U64, att + ATTACHMENT.offset("pointer"), r.color());
                st.set(U64, b + RENDER.offset("depth_buffer_1"), r.depth());
                st.set(U64, b + RENDER.offset("zls_ctrl"), (r.loadDepth() ? 1 : 0) | (r.storeDepth() ? 2 : 0));
                st.set(U32, b + RENDER.offset("fb_width"), r.width());
                st.set(U32, b + RENDER.offset("fb_height"), r.height());
                st.set(U32, b + RENDER.offset("utile_width"), 32);
                st.set(U32, b + RENDER.offset("utile_height"), 32);
                st.set(U32, b + RENDER.offset("samples"), 1);
                st.set(U32, b + RENDER.offset("layers"), 1);
                st.set(U32, b + RENDER.offset("load_pipeline"), r.loadColor() ? 1 : 0);
                st.set(U32, b + RENDER.offset("isp_bgobjvals"), r.clearColor());
                st.set(U32, b + RENDER.offset("isp_bgobjdepth"), Float.floatToRawIntBits(r.clearDepth()));
                b += RENDER.size() + ATTACHMENT.size();
            }
        }
        memory.copyOut(st, 0, scratch, b);
        MemorySegment args = stage.asSlice(SCRATCH_BYTES, SUBMIT.size());
        args.fill((byte) 0);
        args.set(U64, SUBMIT_IN_SYNCS, scratch + inAt);
        args.set(U64, SUBMIT_OUT_SYNCS, scratch + outAt);
        args.set(U64, SUBMIT_COMMANDS, scratch + commandsAt);
        args.set(U32, SUBMIT_QUEUE_ID, queueId);
        args.set(U32, SUBMIT_RESULT_HANDLE, resultHandle);
        args.set(U32, SUBMIT_IN_COUNT, in.size());
        args.set(U32, SUBMIT_OUT_COUNT, out.size());
        args.set(U32, SUBMIT_COMMAND_COUNT, commands.size());
        memory.copyOut(args, 0, arg, SUBMIT.size());
        ioctl(AsahiIoctl.SUBMIT);
    }

    private static int stageSyncs(MemorySegment st, int at, List<Sync> syncs) {
        for (Sync s : syncs) {
            st.set(U32, at + SYNC_TYPE, s.timeline() ? AsahiUapi.SYNC_TIMELINE_SYNCOBJ : AsahiUapi.SYNC_SYNCOBJ);
            st.set(U32, at + SYNC_HANDLE, s.handle());
            st.set(U64, at + SYNC_POINT, s.point());
            at += SYNC.size();
        }
        return at;
    }

    /** Closes the file. */
    @Override
    public void close() throws DrmException {
        client.close(fd);
    }
}
