package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.device.DrmDeviceFactory;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.driver.DriverInfo;
import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.api.mm.RangeAllocatorFactory;
import kiln.drm.api.sched.SchedulerFactory;
import kiln.drm.api.syncobj.SyncObjManager;

/** The DRM core's components in Felix: a driver registers a device, a client uses it, unplug withdraws it. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DrmCoreIT extends KilnTestBase {
    private static final int DOUBLE = IoctlNumber.iowr(0x40, 8);

    @Test
    public void everyAbstractionIsAService() {
        for (Class<?> type : List.of(RangeAllocatorFactory.class, FenceFactory.class, GemManager.class,
                DrmDeviceFactory.class, ClientFactory.class, SchedulerFactory.class, SyncObjManager.class)) {
            assertNotNull(type.getSimpleName(), service(type));
        }
    }

    @Test
    public void aRegisteredDeviceServesClientsUntilUnplugged() throws Exception {
        DrmDevice device = service(DrmDeviceFactory.class).register(new DrmDriver() {
            @Override
            public DriverInfo info() {
                return new DriverInfo(0, 1, 0, "itest", "Kiln integration test driver", "20261125");
            }

            @Override
            public Set<DriverFeature> features() {
                return EnumSet.of(DriverFeature.GEM, DriverFeature.RENDER);
            }

            @Override
            public List<IoctlDescriptor> ioctls() {
                return List.of(new IoctlDescriptor(DOUBLE, "DOUBLE",
                        IoctlFlag.mask(EnumSet.of(IoctlFlag.AUTH, IoctlFlag.RENDER_ALLOW)), (file, arg) -> {
                            arg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4,
                                    2 * arg.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0));
                            return 0;
                        }));
            }
        }, Map.of("chip", "t8103"));

        var refs = context.getServiceReferences(DrmDevice.class, "(drm.driver=itest)");
        assertEquals(1, refs.size());
        ServiceReference<DrmDevice> ref = refs.iterator().next();
        assertEquals(device.renderNode(), ref.getProperty(DrmDevice.RENDER_NODE));
        assertTrue(((String) ref.getProperty(DrmDevice.RENDER_NODE)).matches("renderD1[2-9][0-9]"));
        assertEquals("t8103", ref.getProperty("chip"));

        Client client = service(ClientFactory.class).spawn("itest", false);
        long arg = client.memory().map(8);
        int fd = client.open(device.renderNode());
        client.memory().writeInt(arg, 21);
        client.ioctl(fd, DOUBLE, arg);
        assertEquals(42, client.memory().readInt(arg + 4));

        device.unplug();
        Await.until(Duration.ofSeconds(5), ref::getBundle, b -> b == null, "device service withdrawn");
        assertNull(context.getServiceReferences(DrmDevice.class, "(drm.driver=itest)").stream().findFirst().orElse(null));
        try {
            client.ioctl(fd, DOUBLE, arg);
            fail("ioctl after unplug");
        } catch (DrmException e) {
            assertEquals(Errno.ENODEV, e.errno());
        }
        client.close(fd);
        client.exit();
    }
}
