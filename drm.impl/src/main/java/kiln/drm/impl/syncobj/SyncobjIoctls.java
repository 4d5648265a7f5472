package kiln.drm.impl.syncobj;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.device.DriverFeatures;

/**
 * The SYNCOBJ core ioctls with the kernel's numbers, 64-bit struct layouts, flag checks and
 * errnos ({@code drm_syncobj.c}). All are RENDER_ALLOW.
 */
public final class SyncobjIoctls {
    public static final int CREATE = IoctlNumber.iowr(0xBF, 8);
    public static final int DESTROY = IoctlNumber.iowr(0xC0, 8);
    public static final int HANDLE_TO_FD = IoctlNumber.iowr(0xC1, 24);
    public static final int FD_TO_HANDLE = IoctlNumber.iowr(0xC2, 24);
    public static final int WAIT = IoctlNumber.iowr(0xC3, 40);
    public static final int RESET = IoctlNumber.iowr(0xC4, 16);
    public static final int SIGNAL = IoctlNumber.iowr(0xC5, 16);
    public static final int TIMELINE_WAIT = IoctlNumber.iowr(0xCA, 48);
    public static final int QUERY = IoctlNumber.iowr(0xCB, 24);
    public static final int TRANSFER = IoctlNumber.iowr(0xCC, 32);
    public static final int TIMELINE_SIGNAL = IoctlNumber.iowr(0xCD, 24);
    /** {@code struct drm_syncobj_eventfd { u32 handle; u32 flags; u64 point; s32 fd; u32 pad; }}. */
    public static final int EVENTFD = IoctlNumber.iowr(0xCF, 24);

    public static final int CREATE_SIGNALED = 1;
    public static final int HANDLE_TO_FD_EXPORT_SYNC_FILE = 1;
    public static final int FD_TO_HANDLE_IMPORT_SYNC_FILE = 1;
    public static final int HANDLE_FD_TIMELINE = 1 << 1;
    public static final int QUERY_LAST_SUBMITTED = 1;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_HANDLES = 1 << 16;
    /** The kernel's {@code DRM_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT}: 5 s. */
    static final long WAIT_FOR_SUBMIT_TIMEOUT_NANOS = 5_000_000_000L;

    private final SyncobjService syncobjs;

    private SyncobjIoctls(SyncobjService syncobjs) {
        this.syncobjs = syncobjs;
    }

    /** Adds the SYNCOBJ rows to a core table indexed by nr. */
    public static void addTo(IoctlDescriptor[] table, SyncobjService service) {
        SyncobjIoctls s = new SyncobjIoctls(service);
        int flags = IoctlFlag.RENDER_ALLOW.bit();
        put(table, new IoctlDescriptor(CREATE, "SYNCOBJ_CREATE", flags, s::create));
        put(table, new IoctlDescriptor(DESTROY, "SYNCOBJ_DESTROY", flags, s::destroy));
        put(table, new IoctlDescriptor(HANDLE_TO_FD, "SYNCOBJ_HANDLE_TO_FD", flags, s::handleToFd));
        put(table, new IoctlDescriptor(FD_TO_HANDLE, "SYNCOBJ_FD_TO_HANDLE", flags, s::fdToHandle));
        put(table, new IoctlDescriptor(WAIT, "SYNCOBJ_WAIT", flags, s::waitBinary));
        put(table, new IoctlDescriptor(RESET, "SYNCOBJ_RESET", flags, s::reset));
        put(table, new IoctlDescriptor(SIGNAL, "SYNCOBJ_SIGNAL", flags, s::signal));
        put(table, new IoctlDescriptor(TIMELINE_WAIT, "SYNCOBJ_TIMELINE_WAIT", flags, s::waitTimeline));
        put(table, new IoctlDescriptor(QUERY, "SYNCOBJ_QUERY", flags, s::query));
        put(table, new IoctlDescriptor(TRANSFER, "SYNCOBJ_TRANSFER", flags, s::transfer));
        put(table, new IoctlDescriptor(TIMELINE_SIGNAL, "SYNCOBJ_TIMELINE_SIGNAL", flags, s::timelineSignal));
        put(table, new IoctlDescriptor(EVENTFD, "SYNCOBJ_EVENTFD", flags, s::eventfd));
    }

    /**
     * {@code drm_syncobj_eventfd_ioctl}: the descriptor's counter gets one when the point's fence
     * is there (WAIT_AVAILABLE) or has signalled. Flags other than WAIT_AVAILABLE or a pad: EINVAL;
     * an unknown handle ENOENT; a descriptor not open EBADF, not a counter EINVAL.
     */
    private int eventfd(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ_TIMELINE);
        int flags = arg.get(U32, 4);
        if ((flags & ~SyncobjService.WAIT_AVAILABLE) != 0 || arg.get(U32, 20) != 0) {
            throw einval("SYNCOBJ_EVENTFD flags 0x" + Integer.toHexString(flags) + " or pad");
        }
        Syncobj syncobj = syncobjs.lookup(file, arg.get(U32, 0));
        kiln.drm.api.file.EventCounter counter = file.caller().lookup(arg.get(U32, 16), kiln.drm.api.file.EventCounter.class);
        syncobjs.addEventfd(syncobj, arg.get(U64, 8), flags != 0, counter);
        return 0;
    }

    private static void put(IoctlDescriptor[] table, IoctlDescriptor d) {
        table[IoctlNumber.nr(d.cmd())] = d;
    }

    private static DrmException einval(String what) {
        return DrmException.quiet(Errno.EINVAL, what);
    }

    private int create(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        int flags = arg.get(U32, 4);
        if ((flags & ~CREATE_SIGNALED) != 0) {
            throw einval("SYNCOBJ_CREATE flags 0x" + Integer.toHexString(flags));
        }
        arg.set(U32, 0, syncobjs.createHandle(file, syncobjs.create(flags != 0)));
        return 0;
    }

    private int destroy(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        if (arg.get(U32, 4) != 0) {
            throw einval("pad must be 0");
        }
        syncobjs.destroy(file, arg.get(U32, 0));
        return 0;
    }

    /**
     * {@code drm_syncobj_handle_to_fd_ioctl}: a syncobj descriptor (unknown handle: EINVAL), or
     * with EXPORT_SYNC_FILE a sync file of its fence at {@code point} when TIMELINE is set
     * ({@code drm_syncobj_find_fence}: unknown handle ENOENT). Without EXPORT_SYNC_FILE a point
     * other than 0 is EINVAL, TIMELINE or not.
     */
    private int handleToFd(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        int flags = arg.get(U32, 4);
        if (arg.get(U32, 12) != 0 || (flags & ~(HANDLE_TO_FD_EXPORT_SYNC_FILE | HANDLE_FD_TIMELINE)) != 0) {
            throw einval("SYNCOBJ_HANDLE_TO_FD flags 0x" + Integer.toHexString(flags) + " or pad");
        }
        long point = (flags & HANDLE_FD_TIMELINE) != 0 ? arg.get(U64, 16) : 0;
        int handle = arg.get(U32, 0);
        Object exported;
        if ((flags & HANDLE_TO_FD_EXPORT_SYNC_FILE) != 0) {
            exported = new SyncFile(syncobjs.lookup(file, handle).find(point), syncobjs.fences());
        } else {
            if (arg.get(U64, 16) != 0) {
                throw einval("a point to export a syncobj at");
            }
            exported = new SyncobjFile(syncobjOrEinval(file, handle));
        }
        arg.set(U32, 8, file.caller().install(exported));
        return 0;
    }

    /**
     * {@code drm_syncobj_fd_to_handle_ioctl}: a handle for a syncobj descriptor, or with
     * IMPORT_SYNC_FILE the sync file's fence put in syncobj {@code handle} (at {@code point} when
     * TIMELINE is set and it is not 0, else replacing its fence). A descriptor that is not open or
     * not of the expected kind is EINVAL, then an unknown handle ENOENT; without IMPORT_SYNC_FILE a
     * point other than 0 is EINVAL.
     */
    private int fdToHandle(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        int flags = arg.get(U32, 4);
        if (arg.get(U32, 12) != 0 || (flags & ~(FD_TO_HANDLE_IMPORT_SYNC_FILE | HANDLE_FD_TIMELINE)) != 0) {
            throw einval("SYNCOBJ_FD_TO_HANDLE flags 0x" + Integer.toHexString(flags) + " or pad");
        }
        long point = (flags & HANDLE_FD_TIMELINE) != 0 ? arg.get(U64, 16) : 0;
        int fd = arg.get(U32, 8);
        if ((flags & FD_TO_HANDLE_IMPORT_SYNC_FILE) != 0) {
            DmaFence fence = descriptor(file, fd, SyncFile.class).fence();
            Syncobj syncobj = syncobjs.lookup(file, arg.get(U32, 0));
            if (point != 0) {
                syncobj.addPoint(fence, point);
            } else {
                syncobj.replaceFence(fence);
            }
            return 0;
        }
        if (arg.get(U64, 16) != 0) {
            throw einval("a point to import a syncobj at");
        }
        Syncobj syncobj = descriptor(file, fd, SyncobjFile.class).syncobj();
        arg.set(U32, 0, syncobjs.createHandle(file, syncobj));
        return 0;
    }

    /** The description behind {@code fd}, which must be a {@code type}: EINVAL otherwise, as {@code fdget} failing. */
    private static <T> T descriptor(DrmFile file, int fd, Class<T> type) throws DrmException {
        try {
            return file.caller().lookup(fd, type);
        } catch (DrmException e) {
            throw einval("fd " + fd + " is not an open " + type.getSimpleName());
        }
    }

    /** {@code drm_syncobj_find} where the kernel answers EINVAL for an unknown handle. */
    private Syncobj syncobjOrEinval(DrmFile file, int handle) throws DrmException {
        try {
            return syncobjs.lookup(file, handle);
        } catch (DrmException e) {
            throw einval("no syncobj handle " + handle);
        }
    }

    private int waitBinary(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        int flags = arg.get(U32, 20);
        int allowed = SyncobjService.WAIT_ALL | SyncobjService.WAIT_FOR_SUBMIT | SyncobjService.WAIT_DEADLINE;
        if ((flags & ~allowed) != 0) {
            throw einval("SYNCOBJ_WAIT flags 0x" + Integer.toHexString(flags));
        }
        int count = arg.get(U32, 16);
        if (count == 0) {
            return 0;
        }
        List<Syncobj> objs = lookupArray(file, arg.get(U64, 0), count);
        arg.set(U32, 24, syncobjs.await(objs, new long[count], flags, arg.get(U64, 8)));
        return 0;
    }

    private int waitTimeline(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ_TIMELINE);
        int flags = arg.get(U32, 28);
        int allowed = SyncobjService.WAIT_ALL | SyncobjService.WAIT_FOR_SUBMIT | SyncobjService.WAIT_AVAILABLE
                | SyncobjService.WAIT_DEADLINE;
        if ((flags & ~allowed) != 0) {
            throw einval("SYNCOBJ_TIMELINE_WAIT flags 0x" + Integer.toHexString(flags));
        }
        int count = arg.get(U32, 24);
        if (count == 0) {
            return 0;
        }
        List<Syncobj> objs = lookupArray(file, arg.get(U64, 0), count);
        long[] points = readPoints(file, arg.get(U64, 8), count);
        arg.set(U32, 32, syncobjs.await(objs, points, flags, arg.get(U64, 16)));
        return 0;
    }

    private int reset(DrmFile file, MemorySegment arg) throws DrmException {
        for (Syncobj s : arrayArgs(file, arg)) {
            s.replaceFence(null);
        }
        return 0;
    }

    private int signal(DrmFile file, MemorySegment arg) throws DrmException {
        List<Syncobj> objs = arrayArgs(file, arg);
        DmaFence stub = syncobjs.fences().signaled();
        for (Syncobj s : objs) {
            s.replaceFence(stub);
        }
        return 0;
    }

    /** RESET / SIGNAL's {@code drm_syncobj_array}: checks, then every handle looked up first. */
    private List<Syncobj> arrayArgs(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        if (arg.get(U32, 12) != 0) {
            throw einval("pad must be 0");
        }
        int count = arg.get(U32, 8);
        if (count == 0) {
            throw einval("no handles");
        }
        return lookupArray(file, arg.get(U64, 0), count);
    }

    private int query(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ_TIMELINE);
        int flags = arg.get(U32, 20);
        if ((flags & ~QUERY_LAST_SUBMITTED) != 0) {
            throw einval("SYNCOBJ_QUERY flags 0x" + Integer.toHexString(flags));
        }
        int count = arg.get(U32, 16);
        if (count == 0) {
            throw einval("no handles");
        }
        List<Syncobj> objs = lookupArray(file, arg.get(U64, 0), count);
        AddressSpace memory = file.caller().memory();
        long points = arg.get(U64, 8);
        for (int i = 0; i < count; i++) {
            Syncobj s = objs.get(i);
            memory.writeLong(points + 8L * i, flags != 0 ? s.submittedPoint() : s.signaledPoint());
        }
        return 0;
    }

    /**
     * {@code drm_syncobj_transfer_ioctl}: the fence of {@code src} at {@code src_point} becomes
     * {@code dst}'s fence (dst point 0) or its point {@code dst_point} (unwrapped and merged
     * first, as the kernel does for timelines). In the kernel's order: unknown destination
     * ENOENT, flags other than WAIT_FOR_SUBMIT EINVAL, unknown source ENOENT, no fence for the
     * point EINVAL — or, with WAIT_FOR_SUBMIT, a wait of up to
     * {@link #WAIT_FOR_SUBMIT_TIMEOUT_NANOS} for one (ETIME).
     */
    private int transfer(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ_TIMELINE);
        if (arg.get(U32, 28) != 0) {
            throw einval("pad must be 0");
        }
        int flags = arg.get(U32, 24);
        long dstPoint = arg.get(U64, 16);
        Syncobj dst = syncobjs.lookup(file, arg.get(U32, 4));
        if ((flags & ~SyncobjService.WAIT_FOR_SUBMIT) != 0) {
            throw einval("SYNCOBJ_TRANSFER flags 0x" + Integer.toHexString(flags));
        }
        Syncobj src = syncobjs.lookup(file, arg.get(U32, 0));
        long srcPoint = arg.get(U64, 8);
        DmaFence fence = (flags & SyncobjService.WAIT_FOR_SUBMIT) != 0
                ? syncobjs.awaitSubmitted(src, srcPoint, System.nanoTime() + WAIT_FOR_SUBMIT_TIMEOUT_NANOS)
                : src.find(srcPoint);
        if (dstPoint != 0) {
            dst.addPoint(syncobjs.fences().unwrapMerge(List.of(fence)), dstPoint);
        } else {
            dst.replaceFence(fence);
        }
        return 0;
    }

    private int timelineSignal(DrmFile file, MemorySegment arg) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ_TIMELINE);
        if (arg.get(U32, 20) != 0) {
            throw einval("SYNCOBJ_TIMELINE_SIGNAL flags must be 0");
        }
        int count = arg.get(U32, 16);
        if (count == 0) {
            throw einval("no handles");
        }
        List<Syncobj> objs = lookupArray(file, arg.get(U64, 0), count);
        long[] points = readPoints(file, arg.get(U64, 8), count);
        DmaFence stub = syncobjs.fences().signaled();
        // everything is looked up and read: from here nothing can fail half way (points are u64);
        // as drm_syncobj_timeline_signal_ioctl, every point is added, 0 too
        for (int i = 0; i < count; i++) {
            objs.get(i).addPoint(stub, points[i]);
        }
        return 0;
    }

    /** Copies a u32 handle array in and looks every handle up before anything changes (ENOENT). */
    private List<Syncobj> lookupArray(DrmFile file, long address, int count) throws DrmException {
        if (count < 0 || count > MAX_HANDLES) {
            throw einval("count " + Integer.toUnsignedString(count));
        }
        MemorySegment handles = MemorySegment.ofArray(new int[count]);
        file.caller().memory().copyIn(address, handles, 0, 4L * count);
        List<Syncobj> objs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            objs.add(syncobjs.lookup(file, handles.getAtIndex(U32, i)));
        }
        return objs;
    }

    private static long[] readPoints(DrmFile file, long address, int count) throws DrmException {
        MemorySegment points = MemorySegment.ofArray(new long[count]);
        file.caller().memory().copyIn(address, points, 0, 8L * count);
        long[] result = new long[count];
        for (int i = 0; i < count; i++) {
            result[i] = points.getAtIndex(U64, i);
        }
        return result;
    }
}
