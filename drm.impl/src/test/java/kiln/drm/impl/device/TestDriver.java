package kiln.drm.impl.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.driver.DriverInfo;
import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;

/** A small driver exercising every dispatch rule; shared by the DRM core tests. */
public class TestDriver implements DrmDriver {
    public static final int ADD_ONE = IoctlNumber.iowr(0x40, 16);
    public static final int ROOT = IoctlNumber.iow(0x41, 8);
    public static final int MASTER = IoctlNumber.io(0x42);
    public static final int FAIL = IoctlNumber.iowr(0x43, 8);
    public static final int BLOCK = IoctlNumber.io(0x44);
    public static final int NOOP = IoctlNumber.iowr(0x45, 32);

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    public final List<String> events = Collections.synchronizedList(new ArrayList<>());
    public final CountDownLatch blocked = new CountDownLatch(1);
    public final CountDownLatch release = new CountDownLatch(1);
    public volatile Errno refuseOpen;

    @Override
    public DriverInfo info() {
        return new DriverInfo(1, 2, 3, "testdrv", "Kiln test driver", "20261125");
    }

    @Override
    public Set<DriverFeature> features() {
        return EnumSet.of(DriverFeature.GEM, DriverFeature.RENDER, DriverFeature.SYNCOBJ);
    }

    @Override
    public List<IoctlDescriptor> ioctls() {
        int render = IoctlFlag.mask(EnumSet.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW));
        return List.of(
                new IoctlDescriptor(ADD_ONE, "ADD_ONE", render, TestDriver::addOne),
                new IoctlDescriptor(ROOT, "ROOT", IoctlFlag.mask(EnumSet.of(IoctlFlag.ROOT_ONLY, IoctlFlag.RENDER_ALLOW)),
                        (file, arg) -> 0),
                new IoctlDescriptor(MASTER, "MASTER", IoctlFlag.MASTER.bit(), (file, arg) -> 0),
                new IoctlDescriptor(FAIL, "FAIL", render, (file, arg) -> {
                    arg.set(U64, 0, 0xdeadL);
                    throw new DrmException(Errno.EINVAL, "always fails");
                }),
                new IoctlDescriptor(BLOCK, "BLOCK", render, (file, arg) -> {
                    blocked.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new DrmException(Errno.ERESTARTSYS, "interrupted");
                    }
                    events.add("block done");
                    return 0;
                }),
                new IoctlDescriptor(NOOP, "NOOP", render, (file, arg) -> 0));
    }

    private static int addOne(DrmFile file, MemorySegment arg) {
        arg.set(U64, 8, arg.get(U64, 0) + 1);
        return 0;
    }

    @Override
    public Object open(DrmFile file) throws DrmException {
        if (refuseOpen != null) {
            throw new DrmException(refuseOpen, "refused");
        }
        events.add("open " + (file.isRender() ? "render" : "primary"));
        return "private of " + file.client().name();
    }

    @Override
    public void postclose(DrmFile file) {
        events.add("postclose " + file.driverPrivate());
    }
}
