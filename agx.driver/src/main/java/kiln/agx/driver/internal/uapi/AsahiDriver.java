package kiln.agx.driver.internal.uapi;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.driver.DriverInfo;
import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlHandler;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.mm.RangeAllocatorFactory;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.sched.SchedulerFactory;
import kiln.drm.api.syncobj.SyncObjManager;

/**
 * drm-asahi as a {@link DrmDriver}: the real driver info and features, and the asahi ioctls
 * this driver serves so far (the table grows in ioctl-number order: the DRM core refuses gaps),
 * all allowed on render nodes as the real table allows them.
 *
 * <h2>Common rules</h2>
 * Every ioctl struct starts with {@code extensions}; nonzero is EINVAL. A crashed GPU answers
 * ENODEV.
 */
public final class AsahiDriver implements DrmDriver {
    /** The real driver's identity ({@code driver.rs}). */
    public static final DriverInfo INFO = new DriverInfo(0, 0, 0, "asahi", "Apple AGX Graphics", "20220831");
    private static final Set<DriverFeature> FEATURES = EnumSet.of(DriverFeature.GEM, DriverFeature.RENDER,
            DriverFeature.SYNCOBJ, DriverFeature.SYNCOBJ_TIMELINE);
    private static final int FLAGS = IoctlFlag.mask(EnumSet.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW));

    private final AgxGpu gpu;
    private final GetParams getParams;
    private final VmIoctls vms;
    private final GemIoctls gem;
    private final QueueIoctls queues;

    /** The DRM core services the driver uses. */
    public record Services(GemManager gem, RangeAllocatorFactory ranges, SchedulerFactory schedulers, FenceFactory fences,
            SyncObjManager syncobjs) {
    }

    public AsahiDriver(AgxGpu gpu, Services services) {
        this.gpu = gpu;
        this.getParams = new GetParams(gpu);
        this.vms = new VmIoctls(gpu, services.ranges());
        this.gem = new GemIoctls(services.gem());
        this.queues = new QueueIoctls(gpu, services.schedulers(), services.fences(), services.syncobjs(), services.gem());
    }

    @Override
    public DriverInfo info() {
        return INFO;
    }

    @Override
    public Set<DriverFeature> features() {
        return FEATURES;
    }

    @Override
    public List<IoctlDescriptor> ioctls() {
        return List.of(
                ioctl(AsahiIoctl.GET_PARAMS, getParams::handle),
                ioctl(AsahiIoctl.VM_CREATE, vms::create),
                ioctl(AsahiIoctl.VM_DESTROY, vms::destroy),
                ioctl(AsahiIoctl.GEM_CREATE, gem::create),
                ioctl(AsahiIoctl.GEM_MMAP_OFFSET, gem::mmapOffset),
                ioctl(AsahiIoctl.GEM_BIND, gem::bind),
                ioctl(AsahiIoctl.QUEUE_CREATE, queues::create),
                ioctl(AsahiIoctl.QUEUE_DESTROY, queues::destroy),
                ioctl(AsahiIoctl.SUBMIT, queues::submit),
                ioctl(AsahiIoctl.GET_TIME, this::getTime));
    }

    /** An ioctl with the checks every one shares: no extensions, a live GPU. */
    private IoctlDescriptor ioctl(AsahiIoctl which, IoctlHandler handler) {
        return new IoctlDescriptor(which.number(), "ASAHI_" + which.name(), FLAGS, (file, arg) -> {
            Args.noExtensions(arg);
            if (gpu.crashed()) {
                throw DrmException.quiet(Errno.ENODEV, "GPU crashed");
            }
            return handler.handle(file, arg);
        });
    }

    /** {@code GET_TIME}: the GPU timestamp now ({@code flags} must be 0), with the wall-clock time. */
    private int getTime(DrmFile file, java.lang.foreign.MemorySegment arg) throws DrmException {
        kiln.agx.api.uapi.UapiStruct t = kiln.agx.api.uapi.UapiStruct.GET_TIME;
        if (Args.u64(arg, t.offset("flags")) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "flags must be zero");
        }
        java.time.Instant now = java.time.Instant.now();
        arg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, t.offset("tv_sec"), now.getEpochSecond());
        arg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, t.offset("tv_nsec"), now.getNano());
        arg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, t.offset("gpu_timestamp"), gpu.silicon().timestamp());
        return 0;
    }

    @Override
    public Object open(DrmFile file) {
        return new AsahiFile();
    }

    @Override
    public void postclose(DrmFile file) {
        file.driverPrivate(AsahiFile.class).close(file.client().exited());
    }


}
