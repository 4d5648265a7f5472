package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.silicon.Asc;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;

/**
 * The firmware services in the running framework: selectable by their properties, each
 * generation's ABI and the real answer for G14 + 12.3, the firmware program booting on a core's
 * silicon (the handoff), and a firmware bundle updated and stopped while the runtime runs.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FirmwareServiceIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private Firmware firmware(String version) throws Exception {
        var refs = context.getServiceReferences(Firmware.class, "(" + Firmware.VERSION + "=" + version + ")");
        assertEquals(version, 1, refs.size());
        return context.getService(refs.iterator().next());
    }

    @Test
    public void servicesCarryTheirVersionGenerationsAndAbis() throws Exception {
        var forG14 = context.getServiceReferences(Firmware.class, "(" + Firmware.GENERATIONS + "=G14)");
        assertEquals(List.of("13.2"), forG14.stream().map(r -> r.getProperty(Firmware.VERSION)).toList());
        Firmware v12 = firmware("12.3");
        Firmware v13 = firmware("13.2");
        assertFalse(v12.abi(GpuGen.G13).field(AbiType.RUN_COMPUTE, "counter").present());
        assertEquals(0x40, v13.abi(GpuGen.G14).sizeOf(AbiType.DEVICE_CONTROL_MSG));
        try {
            v12.abi(GpuGen.G14);
            throw new AssertionError("G14 + 12.3 must be refused");
        } catch (DrmException e) {
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage(), e.getMessage().contains(Firmware.UNSUPPORTED));
        }
    }

    @Test
    public void theFirmwareProgramBootsOnACoresSiliconAndOutlivesItsBundle() throws Exception {
        ServiceReference<PhysicalMemory> memoryRef = context.getServiceReference(PhysicalMemory.class);
        PhysicalMemory memory = context.getService(memoryRef);
        ServiceReference<GpuCore> coreRef = context.getServiceReferences(GpuCore.class,
                "(" + GpuCore.COMPATIBLE + "=apple,agx-t8112)").iterator().next();
        GpuCore core = context.getService(coreRef);
        Firmware v13 = firmware("13.2");
        try (Silicon silicon = core.powerOn(memory, SiliconOptions.defaults().withHostWorkers(1))) {
            silicon.asc().load(v13.program(GpuGen.G14));
            silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, AgxRegisters.CPU_RUN);
            var handoff = memory.frame(silicon.reservedRegion(ReservedRegion.HANDOFF).physicalAddress());
            var magicFw = v13.abi(GpuGen.G14).field(AbiType.HANDOFF, "magic_fw");
            Await.until(LIMIT, () -> magicFw.get(handoff, 0), m -> m == FirmwareProtocol.PPL_MAGIC, "the firmware's handoff");

            // the program is the shared runtime's: stopping the firmware bundle does not pull it away
            Bundle fw13 = bundle("firmware.fw13_2");
            fw13.stop();
            try {
                assertTrue(context.getServiceReferences(Firmware.class, "(" + Firmware.VERSION + "=13.2)").isEmpty());
                assertEquals(Asc.State.RUNNING, silicon.asc().state());
            } finally {
                fw13.start();
            }
            silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, 0);
            assertEquals(Asc.State.STOPPED, silicon.asc().awaitStop(LIMIT));
        } finally {
            context.ungetService(coreRef);
            context.ungetService(memoryRef);
        }
    }

    @Test
    public void updatingAFirmwareBundleReRegistersItsServiceAndLeavesTheDriverAlone() throws Exception {
        Object before = context.getServiceReferences(Firmware.class, "(" + Firmware.VERSION + "=12.3)").iterator().next()
                .getProperty("service.id");
        long driverChanges = bundle("agx.driver").getLastModified();
        bundle("firmware.fw12_3").update();
        Object after = Await.until(LIMIT,
                () -> context.getServiceReferences(Firmware.class, "(" + Firmware.VERSION + "=12.3)").stream()
                        .map(r -> r.getProperty("service.id")).findFirst().orElse(null),
                id -> id != null, "12.3 to come back after the update");
        assertNotEquals(before, after);
        assertEquals(Bundle.ACTIVE, bundle("agx.driver").getState());
        assertEquals(driverChanges, bundle("agx.driver").getLastModified());
        assertFalse(firmware("12.3").abi(GpuGen.G13).field(AbiType.RUN_VERTEX, "counter").present());
    }
}
