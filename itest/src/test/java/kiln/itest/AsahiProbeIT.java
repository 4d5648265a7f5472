package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.ValueLayout;
import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.api.uapi.UapiStruct;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * The asahi driver in Felix: the default devices (t8103, t8112) probe with the newest
 * compatible firmware and register DRM devices with the real driver name; GET_PARAMS answers
 * through a client's render node with size negotiation and the real errors; a device pinned to
 * a firmware its core cannot run is refused with the real answer.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AsahiProbeIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private ServiceReference<DrmDevice> device(String name) throws Exception {
        return asahiDevice(name);
    }

    @Test
    public void theDefaultDevicesProbeAndRegister() throws Exception {
        ServiceReference<DrmDevice> t8103 = device("t8103");
        ServiceReference<DrmDevice> t8112 = device("t8112");
        assertEquals("13.2", t8103.getProperty("agx.firmware.version"));
        assertEquals("G14", t8112.getProperty("agx.gen"));
        String table = Await.until(LIMIT, () -> Shell.run(context, "agx:devices"),
                t -> t.lines().filter(l -> l.contains("RUNNING")).count() >= 2, "both devices running");
        assertTrue(table, table.lines().anyMatch(l -> l.startsWith("t8112 ") && l.contains("renderD")));
        String params = Shell.run(context, "agx:params t8112");
        assertTrue(params, params.lines().anyMatch(l -> l.startsWith("chip_id ") && l.trim().endsWith(" " + 0x8112)));
        assertTrue(params, params.lines().anyMatch(l -> l.startsWith("gpu_generation ") && l.trim().endsWith(" 14")));
    }

    @Test
    public void theDemoWorkloadsRunAndCheckThemselves() throws Exception {
        device("t8103");
        device("t8112");
        String saxpy = Shell.run(context, "agx:run saxpy");
        assertTrue(saxpy, saxpy.contains("saxpy on t8103") && saxpy.contains("PASSED"));
        String matmul = Shell.run(context, "agx:run --device t8112 matmul");
        assertTrue(matmul, matmul.contains("matmul on t8112") && matmul.contains("PASSED"));
        java.io.File png = java.io.File.createTempFile("kiln-scene", ".png");
        String scene = Shell.run(context, "agx:run --out " + png.getAbsolutePath() + " scene");
        assertTrue(scene, scene.contains("PASSED") && png.length() > 1000);
        png.delete();
    }

    @Test
    public void getParamsNegotiatesItsSizeAndRefusesBadArguments() throws Exception {
        String node = (String) device("t8103").getProperty(DrmDevice.RENDER_NODE);
        Client client = service(ClientFactory.class).spawn("probe-it", false);
        try {
            int fd = client.open(node);
            UapiStruct args = UapiStruct.GET_PARAMS;
            long arg = client.memory().map(args.size());
            long out = client.memory().map(UapiStruct.PARAMS_GLOBAL.size());
            client.memory().writeLong(arg + args.offset("pointer"), out);
            client.memory().writeLong(arg + args.offset("size"), 16);
            client.ioctl(fd, AsahiIoctl.GET_PARAMS.number(), arg);
            assertEquals(UapiStruct.PARAMS_GLOBAL.size(), client.memory().readLong(arg + args.offset("size")));
            assertEquals(AsahiUapi.UNSTABLE_UABI_VERSION, client.memory().readInt(out));
            assertEquals("only the 16 bytes asked for", 0, client.memory().readInt(out + UapiStruct.PARAMS_GLOBAL.offset("gpu_generation")));

            client.memory().writeLong(arg + args.offset("size"), 4096);
            client.ioctl(fd, AsahiIoctl.GET_PARAMS.number(), arg);
            UapiStruct p = UapiStruct.PARAMS_GLOBAL;
            assertEquals(13, client.memory().readInt(out + p.offset("gpu_generation")));
            assertEquals('G', client.memory().readInt(out + p.offset("gpu_variant")));
            assertEquals(0x8103, client.memory().readInt(out + p.offset("chip_id")));
            assertEquals(8, client.memory().readInt(out + p.offset("num_cores_total_active")));
            assertEquals(0xff, client.memory().readLong(out + p.offset("core_masks")));
            assertEquals(AsahiUapi.VM_USER_START, client.memory().readLong(out + p.offset("vm_user_start")));
            assertEquals(24_000_000, client.memory().readInt(out + p.offset("timer_frequency_hz")));
            assertEquals(96, client.memory().readInt(out + p.offset("result_render_size")));

            client.memory().writeInt(arg + args.offset("param_group"), 1);
            expect(Errno.EINVAL, () -> client.ioctl(fd, AsahiIoctl.GET_PARAMS.number(), arg));
            client.memory().writeInt(arg + args.offset("param_group"), 0);
            client.memory().writeLong(arg, 1);
            expect(Errno.EINVAL, () -> client.ioctl(fd, AsahiIoctl.GET_PARAMS.number(), arg));
            client.memory().writeLong(arg, 0);
            client.memory().writeLong(arg + args.offset("pointer"), 0x7000_0000_0000L);
            expect(Errno.EFAULT, () -> client.ioctl(fd, AsahiIoctl.GET_PARAMS.number(), arg));
            client.memory().writeLong(arg + args.offset("pointer"), out);
            expect(Errno.EFAULT, () -> client.ioctl(fd, AsahiIoctl.GET_PARAMS.number(), 0x7000_0000_0000L));
        } finally {
            client.exit();
        }
    }

    @Test
    public void aDevicePinnedToFirmwareItsCoreCannotRunIsRefused() throws Exception {
        Shell.run(context, "agx:attach --name m2-on-12-3 --firmware 12.3 t8112");
        try {
            String table = Await.until(LIMIT, () -> Shell.run(context, "agx:devices"),
                    t -> t.lines().anyMatch(l -> l.startsWith("m2-on-12-3 ") && l.contains("UNSUPPORTED")), "refusal");
            assertTrue(table, table.contains("Unsupported GPU/firmware combination"));
        } finally {
            Shell.run(context, "agx:detach m2-on-12-3");
        }
        Await.until(LIMIT, () -> Shell.run(context, "agx:devices"), t -> !t.contains("m2-on-12-3"), "the device gone");
    }

    @Test
    public void attachedDevicesProbeAndDetachedOnesUnplug() throws Exception {
        Shell.run(context, "agx:attach t6002");
        ServiceReference<DrmDevice> ultra = device("t6002");
        assertEquals("D", ultra.getProperty("agx.variant"));
        String params = Shell.run(context, "agx:params --json t6002");
        assertTrue(params, params.contains("\"num_clusters_total\""));
        try {
            Shell.run(context, "agx:attach t6002");
            throw new AssertionError("a second t6002 must be refused");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("already declared"));
        }
        Shell.run(context, "agx:detach t6002");
        Await.until(LIMIT, () -> context.getServiceReferences(DrmDevice.class, "(agx.device.name=t6002)").isEmpty(),
                gone -> gone, "t6002 unplugged");
    }
}
