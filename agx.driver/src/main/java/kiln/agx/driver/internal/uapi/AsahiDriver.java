package kiln.agx.driver.internal.uapi;

import java.lang.foreign.MemorySegment;
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

    public AsahiDriver(AgxGpu gpu) {
        this.gpu = gpu;
        this.getParams = new GetParams(gpu);
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
        return List.of(new IoctlDescriptor(AsahiIoctl.GET_PARAMS.number(), "ASAHI_GET_PARAMS", FLAGS, this::getParams));
    }

    private int getParams(DrmFile file, MemorySegment arg) throws DrmException {
        Args.noExtensions(arg);
        if (gpu.crashed()) {
            throw DrmException.quiet(Errno.ENODEV, "GPU crashed");
        }
        return getParams.handle(file, arg);
    }
}
