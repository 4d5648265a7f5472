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

    public AsahiDriver(AgxGpu gpu, GemManager gemManager, RangeAllocatorFactory ranges) {
        this.gpu = gpu;
        this.getParams = new GetParams(gpu);
        this.vms = new VmIoctls(gpu, ranges);
        this.gem = new GemIoctls(gemManager);
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
                ioctl(AsahiIoctl.GEM_BIND, gem::bind));
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

    @Override
    public Object open(DrmFile file) {
        return new AsahiFile();
    }

    @Override
    public void postclose(DrmFile file) {
        file.driverPrivate(AsahiFile.class).close();
    }


}
