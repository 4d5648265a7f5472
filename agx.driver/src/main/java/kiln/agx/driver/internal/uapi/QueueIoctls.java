package kiln.agx.driver.internal.uapi;

import static kiln.agx.api.uapi.AsahiUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.gem.ShmemObject;
import kiln.drm.api.sched.Job;
import kiln.drm.api.sched.PendingJob;
import kiln.drm.api.sched.SchedulerFactory;
import kiln.drm.api.syncobj.SyncObj;
import kiln.drm.api.syncobj.SyncObjManager;

/**
 * {@code QUEUE_CREATE}, {@code QUEUE_DESTROY} and {@code SUBMIT}, with the real checks
 * ({@code file.rs}, {@code queue/mod.rs}, {@code queue/compute.rs}) in their order.
 *
 * <h2>SUBMIT</h2>
 * Everything is validated and copied from client memory before anything is queued, so a bad
 * submission changes nothing. The job's in-syncs become scheduler dependencies; its out-syncs get
 * the scheduler's finished fence (binary: replaced; timeline: a new point). The ioctl returns as
 * soon as the job is queued.
 */
final class QueueIoctls {
    private static final UapiStruct CREATE = UapiStruct.QUEUE_CREATE;
    private static final UapiStruct SUBMIT = UapiStruct.SUBMIT;
    private static final UapiStruct SYNC = UapiStruct.SYNC;
    private static final UapiStruct COMMAND = UapiStruct.COMMAND;
    private static final UapiStruct COMPUTE = UapiStruct.CMD_COMPUTE;
    private static final long SUBMIT_FLAGS = SUBMIT.offset("flags");
    private static final long SUBMIT_IN_COUNT = SUBMIT.offset("in_sync_count");
    private static final long SUBMIT_OUT_COUNT = SUBMIT.offset("out_sync_count");
    private static final long SUBMIT_COMMAND_COUNT = SUBMIT.offset("command_count");
    private static final long SUBMIT_QUEUE_ID = SUBMIT.offset("queue_id");
    private static final long SUBMIT_IN_SYNCS = SUBMIT.offset("in_syncs");
    private static final long SUBMIT_OUT_SYNCS = SUBMIT.offset("out_syncs");
    private static final long SUBMIT_RESULT_HANDLE = SUBMIT.offset("result_handle");
    private static final long SUBMIT_COMMANDS = SUBMIT.offset("commands");
    private static final long SYNC_TYPE = SYNC.offset("sync_type");
    private static final long SYNC_POINT = SYNC.offset("timeline_value");
    private static final long SYNC_HANDLE = SYNC.offset("handle");
    private static final long COMMAND_TYPE = COMMAND.offset("cmd_type");
    private static final long COMMAND_BARRIERS = COMMAND.offset("barriers");
    private static final long COMMAND_RESULT_OFFSET = COMMAND.offset("result_offset");
    private static final long COMMAND_RESULT_SIZE = COMMAND.offset("result_size");
    private static final long COMMAND_BUFFER_SIZE = COMMAND.offset("cmd_buffer_size");
    private static final long COMMAND_BUFFER = COMMAND.offset("cmd_buffer");
    private static final long COMPUTE_FLAGS = COMPUTE.offset("flags");
    private static final long COMPUTE_ATTACHMENT_COUNT = COMPUTE.offset("attachment_count");
    private static final long COMPUTE_ENCODER = COMPUTE.offset("encoder_ptr");
    private static final long COMPUTE_ENCODER_END = COMPUTE.offset("encoder_end");
    private static final long COMPUTE_CMD_ID = COMPUTE.offset("cmd_id");
    private static final AtomicLong SUBMISSIONS = new AtomicLong();

    private final AgxGpu gpu;
    private final SchedulerFactory schedulers;
    private final FenceFactory fences;
    private final SyncObjManager syncobjs;
    private final GemManager gem;
    private final SubmitBackend backend;

    QueueIoctls(AgxGpu gpu, SchedulerFactory schedulers, FenceFactory fences, SyncObjManager syncobjs, GemManager gem) {
        this.gpu = gpu;
        this.schedulers = schedulers;
        this.fences = fences;
        this.syncobjs = syncobjs;
        this.gem = gem;
        this.backend = new SubmitBackend(gpu);
    }

    int create(DrmFile file, MemorySegment arg) throws DrmException {
        int flags = Args.u32(arg, CREATE.offset("flags"));
        int vmId = Args.u32(arg, CREATE.offset("vm_id"));
        int caps = Args.u32(arg, CREATE.offset("queue_caps"));
        int priority = Args.u32(arg, CREATE.offset("priority"));
        if (flags != 0 || Integer.compareUnsigned(priority, MAX_PRIORITY) > 0 || caps == 0
                || (caps & ~(QUEUE_CAP_RENDER | QUEUE_CAP_BLIT | QUEUE_CAP_COMPUTE)) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "bad queue flags 0x" + Integer.toHexString(flags) + ", caps 0x"
                    + Integer.toHexString(caps) + " or priority " + priority);
        }
        AsahiFile f = file.driverPrivate(AsahiFile.class);
        var vm = f.vm(vmId);
        int id = f.addQueue(queueId -> new AsahiQueue(queueId, gpu, vm, caps, priority, schedulers, fences, backend));
        arg.set(ValueLayout.JAVA_INT_UNALIGNED, CREATE.offset("queue_id"), id);
        return 0;
    }

    int destroy(DrmFile file, MemorySegment arg) throws DrmException {
        file.driverPrivate(AsahiFile.class).removeQueue(Args.u32(arg, UapiStruct.QUEUE_DESTROY.offset("queue_id"))).close();
        return 0;
    }

    /** A sync as the client gave it. */
    private record Sync(int type, SyncObj syncobj, long point) {
    }

    int submit(DrmFile file, MemorySegment arg) throws DrmException {
        int flags = Args.u32(arg, SUBMIT_FLAGS);
        int inCount = Args.u32(arg, SUBMIT_IN_COUNT);
        int outCount = Args.u32(arg, SUBMIT_OUT_COUNT);
        int commandCount = Args.u32(arg, SUBMIT_COMMAND_COUNT);
        if (flags != 0 || Integer.compareUnsigned(inCount, MAX_SYNCS_PER_SUBMISSION) > 0
                || Integer.compareUnsigned(outCount, MAX_SYNCS_PER_SUBMISSION) > 0
                || Integer.compareUnsigned(commandCount, MAX_COMMANDS_PER_SUBMISSION) > 0) {
            throw DrmException.quiet(Errno.EINVAL, "bad submit flags or counts");
        }
        AsahiFile f = file.driverPrivate(AsahiFile.class);
        AsahiQueue queue = f.queue(Args.u32(arg, SUBMIT_QUEUE_ID));
        AddressSpace user = file.caller().memory();
        List<Sync> in = syncs(file, user, Args.u64(arg, SUBMIT_IN_SYNCS), inCount);
        List<DmaFence> inFences = new ArrayList<>();
        for (Sync s : in) {
            DmaFence fence = s.type() == SYNC_SYNCOBJ ? s.syncobj().fence() : s.syncobj().find(s.point());
            if (fence == null) {
                throw DrmException.quiet(Errno.EINVAL, "in-sync without a fence");
            }
            inFences.add(fence);
        }
        List<Sync> out = syncs(file, user, Args.u64(arg, SUBMIT_OUT_SYNCS), outCount);
        int resultHandle = Args.u32(arg, SUBMIT_RESULT_HANDLE);
        ShmemObject result = resultHandle == 0 ? null : gem.lookupShmem(file, resultHandle);
        try {
            if (gpu.crashed()) {
                throw DrmException.quiet(Errno.ENODEV, "GPU crashed");
            }
            if (commandCount == 0) {
                throw DrmException.quiet(Errno.EINVAL, "Empty submissions are not legal");
            }
            List<SubmitJob.Command> commands = commands(user, Args.u64(arg, SUBMIT_COMMANDS), commandCount,
                    queue, result);
            SubmitJob job = new SubmitJob(queue, commands, result, result == null ? null : result.vmap(),
                    queue.fences.next(), SUBMISSIONS.incrementAndGet(), new AtomicInteger(1), System.nanoTime());
            result = null; // the job owns it now
            Job<SubmitJob> pushed = push(queue, job, inFences);
            DmaFence finished = pushed.finished();
            for (Sync s : out) {
                if (s.type() == SYNC_SYNCOBJ) {
                    s.syncobj().replaceFence(finished);
                } else {
                    s.syncobj().addPoint(finished, s.point());
                }
            }
            return 0;
        } finally {
            if (result != null) {
                result.put();
            }
        }
    }

    /**
     * Hands {@code job} to the queue's entity. A queue destroyed since the lookup (QUEUE_DESTROY
     * racing this SUBMIT) refuses it: the answer is the one the destroy coming first would have
     * given (ENOENT), and the job gives back its result buffer and signals its fence, so nothing
     * the submission made outlives it.
     */
    private static Job<SubmitJob> push(AsahiQueue queue, SubmitJob job, List<DmaFence> inFences) throws DrmException {
        try {
            PendingJob<SubmitJob> pending = queue.entity.newJob(job, job.commands().size());
            inFences.forEach(pending::addDependency);
            pending.arm();
            return pending.push();
        } catch (DrmException | RuntimeException e) {
            job.releaseResults();
            job.fence().signal(Errno.ECANCELED);
            if (e instanceof DrmException && queue.destroyed()) {
                throw DrmException.quiet(Errno.ENOENT, "queue " + queue.id + " destroyed");
            }
            throw e;
        }
    }

    /**
     * Reads and checks {@code count} {@code drm_asahi_sync}s at {@code address}: every check a
     * later use could fail is made here, before the submission changes anything (a timeline
     * point is a u64 from 1 up, {@code drm_syncobj_add_point}'s domain).
     */
    private List<Sync> syncs(DrmFile file, AddressSpace user, long address, int count) throws DrmException {
        List<Sync> out = new ArrayList<>(count);
        if (count == 0) {
            return out;
        }
        MemorySegment all = scratch((long) SYNC.size() * count);
        user.copyIn(address, all, 0, all.byteSize());
        for (int i = 0; i < count; i++) {
            MemorySegment s = all.asSlice((long) i * SYNC.size(), SYNC.size());
            Args.noExtensions(s);
            int type = Args.u32(s, SYNC_TYPE);
            long point = Args.u64(s, SYNC_POINT);
            if (type != SYNC_SYNCOBJ && type != SYNC_TIMELINE_SYNCOBJ) {
                throw DrmException.quiet(Errno.EINVAL, "unknown sync type " + type);
            }
            SyncObj syncobj = syncobjs.lookup(file, Args.u32(s, SYNC_HANDLE));
            if (type == SYNC_SYNCOBJ && point != 0) {
                throw DrmException.quiet(Errno.EINVAL, "a binary sync has no timeline value");
            }
            if (type == SYNC_TIMELINE_SYNCOBJ && point == 0) {
                throw DrmException.quiet(Errno.EINVAL, "a timeline sync needs a point");
            }
            out.add(new Sync(type, syncobj, point));
        }
        return out;
    }

    /**
     * Reads and checks one {@code drm_asahi_cmd_render}. What Kiln's hardware takes from it:
     * the draw records from {@code encoder_ptr} up to an all-zero record; the first
     * {@code ASAHI_ATTACHMENT_C} as the colour target (linear RGBA8, stride {@code 4 * fb_width},
     * at least that many bytes per row), cleared to {@code isp_bgobjvals} unless
     * {@code load_pipeline} is nonzero (then loaded), always stored; {@code depth_buffer_1} as the
     * depth target (0: none; linear float), cleared to {@code isp_bgobjdepth} unless
     * {@code zls_ctrl} bit 0 (load), stored if bit 1. One layer and one sample only (EOPNOTSUPP
     * otherwise, after the real checks).
     */
    private SubmitJob.Render render(AddressSpace user, MemorySegment c, AsahiQueue queue, int[] barriers, long resultOffset,
            long resultSize) throws DrmException {
        UapiStruct r = UapiStruct.CMD_RENDER;
        long size = Args.u64(c, COMMAND_BUFFER_SIZE);
        if (Long.compareUnsigned(size, r.size()) < 0) {
            throw DrmException.quiet(Errno.EINVAL, "cmd_buffer_size " + Long.toUnsignedString(size) + " < " + r.size());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cmd = arena.allocate(r.size());
            user.copyIn(Args.u64(c, COMMAND_BUFFER), cmd, 0, r.size());
            Args.noExtensions(cmd);
            long flags = Args.u64(cmd, r.offset("flags"));
            if ((flags & ~RENDER_FLAGS) != 0 || (flags & RENDER_MEMORYLESS_RTS_USED) != 0) {
                throw DrmException.quiet(Errno.EINVAL, "render flags 0x" + Long.toHexString(flags));
            }
            if ((queue.caps & QUEUE_CAP_RENDER) == 0) {
                throw DrmException.quiet(Errno.EINVAL, "render on a queue without the RENDER cap");
            }
            int width = Args.u32(cmd, r.offset("fb_width"));
            int height = Args.u32(cmd, r.offset("fb_height"));
            int layers = Args.u32(cmd, r.offset("layers"));
            int utileW = Args.u32(cmd, r.offset("utile_width"));
            int utileH = Args.u32(cmd, r.offset("utile_height"));
            int samples = Args.u32(cmd, r.offset("samples"));
            int attachments = Args.u32(cmd, r.offset("attachment_count"));
            if (width <= 0 || height <= 0 || width > MAX_FB_PIXELS || height > MAX_FB_PIXELS || layers <= 0
                    || layers > MAX_LAYERS || !(utileW == 32 && utileH == 32 || utileW == 32 && utileH == 16
                            || utileW == 16 && utileH == 16)
                    || samples != 1 && samples != 2 && samples != 4
                    || Integer.compareUnsigned(attachments, MAX_ATTACHMENTS) > 0) {
                throw DrmException.quiet(Errno.EINVAL, "bad render geometry " + width + "x" + height + ", " + layers
                        + " layers, utile " + utileW + "x" + utileH + ", " + samples + " samples, " + attachments
                        + " attachments");
            }
            if (layers != 1 || samples != 1) {
                throw DrmException.quiet(Errno.EOPNOTSUPP, "Kiln renders one layer at one sample");
            }
            UapiStruct a = UapiStruct.ATTACHMENT;
            MemorySegment list = arena.allocate(Math.max(1, (long) a.size() * attachments));
            user.copyIn(Args.u64(cmd, r.offset("attachments")), list, 0, (long) a.size() * attachments);
            long color = 0;
            for (int i = 0; i < attachments && color == 0; i++) {
                MemorySegment at = list.asSlice((long) i * a.size(), a.size());
                if (Args.u32(at, a.offset("type")) == ATTACHMENT_C) {
                    if (Integer.toUnsignedLong(Args.u32(at, a.offset("size"))) < 4L * width * height) {
                        throw DrmException.quiet(Errno.EINVAL, "colour attachment smaller than the target");
                    }
                    color = Args.u64(at, a.offset("pointer"));
                }
            }
            if (color == 0) {
                throw DrmException.quiet(Errno.EINVAL, "a render needs a colour attachment");
            }
            long zls = Args.u64(cmd, r.offset("zls_ctrl"));
            var target = new kiln.agx.driver.internal.gpu.RenderCommands.Target(Args.u64(cmd, r.offset("encoder_ptr")),
                    width, height, color, Args.u32(cmd, r.offset("load_pipeline")) != 0,
                    Args.u32(cmd, r.offset("isp_bgobjvals")), Args.u64(cmd, r.offset("depth_buffer_1")), (zls & 1) != 0,
                    (zls & 2) != 0, Args.u32(cmd, r.offset("isp_bgobjdepth")), Args.u32(cmd, r.offset("cmd_3d_id")));
            return new SubmitJob.Render(target, barriers, resultOffset, resultSize);
        }
    }

    /** Reads and checks the commands. */
    private List<SubmitJob.Command> commands(AddressSpace user, long address, int count, AsahiQueue queue,
            ShmemObject result) throws DrmException {
        List<SubmitJob.Command> out = new ArrayList<>(count);
        int[] events = {1, 1}; // per subqueue: index 0 is the last event before this submission
        MemorySegment all = scratch((long) COMMAND.size() * count);
        user.copyIn(address, all, 0, all.byteSize());
        MemorySegment cmd = null;
        for (int i = 0; i < count; i++) {
            MemorySegment c = all.asSlice((long) i * COMMAND.size(), COMMAND.size());
            Args.noExtensions(c);
            int type = Args.u32(c, COMMAND_TYPE);
            if (type != CMD_COMPUTE && type != CMD_RENDER) {
                throw DrmException.quiet(Errno.EINVAL, "command type " + type);
            }
            int[] barriers = new int[SUBQUEUE_COUNT];
            for (int sq = 0; sq < SUBQUEUE_COUNT; sq++) {
                barriers[sq] = Args.u32(c, COMMAND_BARRIERS + 4L * sq);
                if (barriers[sq] != BARRIER_NONE && Integer.compareUnsigned(barriers[sq], events[sq]) >= 0) {
                    throw DrmException.quiet(Errno.EINVAL, "barrier on a future command");
                }
            }
            long resultOffset = Args.u64(c, COMMAND_RESULT_OFFSET);
            long resultSize = Args.u64(c, COMMAND_RESULT_SIZE);
            if (result == null ? (resultOffset | resultSize) != 0
                    : Args.rangeOutside(resultOffset, resultSize, result.size())) {
                throw DrmException.quiet(Errno.EINVAL, "result range outside the result buffer");
            }
            if (type == CMD_RENDER) {
                out.add(render(user, c, queue, barriers, resultOffset, resultSize));
                events[SUBQUEUE_RENDER]++;
                continue;
            }
            if ((queue.caps & QUEUE_CAP_COMPUTE) == 0) {
                throw DrmException.quiet(Errno.EINVAL, "compute on a queue without the COMPUTE cap");
            }
            long size = Args.u64(c, COMMAND_BUFFER_SIZE);
            if (Long.compareUnsigned(size, COMPUTE.size()) < 0) {
                throw DrmException.quiet(Errno.EINVAL, "cmd_buffer_size " + Long.toUnsignedString(size) + " < " + COMPUTE.size());
            }
            cmd = cmd == null ? scratch(COMPUTE.size()) : cmd;
            user.copyIn(Args.u64(c, COMMAND_BUFFER), cmd, 0, COMPUTE.size());
            if (Args.u64(cmd, COMPUTE_FLAGS) != 0) {
                throw DrmException.quiet(Errno.EINVAL, "compute flags must be zero");
            }
            if (Integer.compareUnsigned(Args.u32(cmd, COMPUTE_ATTACHMENT_COUNT), MAX_ATTACHMENTS) > 0) {
                throw DrmException.quiet(Errno.EINVAL, "more than " + MAX_ATTACHMENTS + " attachments");
            }
            out.add(new SubmitJob.Compute(Args.u64(cmd, COMPUTE_ENCODER),
                    Args.u64(cmd, COMPUTE_ENCODER_END), Args.u32(cmd, COMPUTE_CMD_ID), barriers,
                    resultOffset, resultSize));
            events[SUBQUEUE_COMPUTE]++;
        }
        return out;
    }

    /**
     * A zeroed heap buffer for a copy of client memory: cheaper than an arena for the few bytes a
     * submission carries, and the copy never outlives the ioctl.
     */
    private static MemorySegment scratch(long bytes) {
        return MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
    }
}
