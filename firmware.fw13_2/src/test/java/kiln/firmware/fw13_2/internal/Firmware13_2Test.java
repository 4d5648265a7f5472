package kiln.firmware.fw13_2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;
import kiln.drm.api.DrmException;

/** 13.2 runs on G13 and G14, with the layouts each generation has. */
class Firmware13_2Test {
    private final Firmware firmware = new Firmware13_2();

    @Test
    void bothGenerationsHaveTheirOwnAbi() throws DrmException {
        assertTrue(firmware.supports(GpuGen.G14, GpuVariant.G));
        assertTrue(firmware.supports(GpuGen.G13, GpuVariant.C));
        assertFalse(firmware.supports(GpuGen.G14, GpuVariant.S), "only the M2 base part");
        assertEquals(0x30, firmware.abi(GpuGen.G13).sizeOf(AbiType.DEVICE_CONTROL_MSG));
        assertEquals(0x40, firmware.abi(GpuGen.G14).sizeOf(AbiType.DEVICE_CONTROL_MSG));
        assertTrue(firmware.abi(GpuGen.G14).field(AbiType.GLOBALS, "unk_24_0").present());
        assertTrue(firmware.abi(GpuGen.G13).field(AbiType.JOB_PARAMETERS_1_VERTEX, "tiling_control").present());
        assertFalse(firmware.abi(GpuGen.G14).field(AbiType.JOB_PARAMETERS_1_VERTEX, "tiling_control").present());
    }
}
