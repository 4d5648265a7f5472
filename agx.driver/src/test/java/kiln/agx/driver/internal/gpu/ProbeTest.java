package kiln.agx.driver.internal.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.silicon.Asc;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.g13.internal.T6002;
import kiln.agx.g13.internal.T8103;
import kiln.agx.g14.internal.T8112;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.impl.gem.PagePool;
import kiln.firmware.fw12_3.internal.Firmware12_3;
import kiln.firmware.fw13_2.internal.Firmware13_2;

/**
 * Probe in the real order on every supported (chip, firmware): the handoff completes, the ID
 * registers check out, InitData is built in the bound ABI and the firmware initialises; G14 with
 * 12.3 is refused before anything is powered; everything is freed on close.
 */
class ProbeTest {
    static Stream<Arguments> pairs() {
        return Stream.of(Arguments.of(new T8103(), new Firmware12_3()), Arguments.of(new T8103(), new Firmware13_2()),
                Arguments.of(new T8112(), new Firmware13_2()), Arguments.of(new T6002(), new Firmware13_2()));
    }

    static AgxGpu probe(GpuCore core, Firmware fw, PhysicalMemory memory) throws DrmException {
        Silicon silicon = core.powerOn(memory, SiliconOptions.defaults().withHostWorkers(1));
        return AgxGpu.probe(core.hwConfig(), silicon, fw, memory, 5000);
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void probesAndTheFirmwareInitialises(GpuCore core, Firmware fw) throws Exception {
        PhysicalMemory memory = PagePool.withLimit(256);
        try (AgxGpu gpu = probe(core, fw, memory)) {
            assertEquals(Asc.State.RUNNING, gpu.silicon().asc().state());
            assertEquals(core.hwConfig().maxClusters(), gpu.ids().clusters());
            assertEquals(core.hwConfig().revision(), gpu.ids().revision());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!gpu.firmwareLog().contains("initialized")) {
                assertTrue(System.nanoTime() < deadline, "firmware log: " + gpu.firmwareLog());
                Thread.sleep(5);
            }
            assertTrue(gpu.firmwareLog().get(0).contains("firmware " + fw.version()), gpu.firmwareLog().toString());
            assertEquals(fw.version().major() >= 13 ? 1 : 0, gpu.initData().globals().get("unk_903c"));
            assertEquals(fw.abi(core.hwConfig().generation()).field(AbiType.GLOBALS, "unk_24_0").present() ? 3000 : 0,
                    gpu.initData().globals().get("unk_24_0"));
        }
        assertEquals(0, memory.usedBytes(), "close frees every page");
    }

    @Test
    void g14With12_3IsRefusedAndNothingStaysPowered() throws Exception {
        PhysicalMemory memory = PagePool.withLimit(64);
        DrmException e = assertThrows(DrmException.class, () -> probe(new T8112(), new Firmware12_3(), memory));
        assertEquals(Errno.ENODEV, e.errno());
        assertTrue(e.getMessage().contains("Unsupported GPU/firmware combination"), e.getMessage());
        assertEquals(0, memory.usedBytes());
    }
}
