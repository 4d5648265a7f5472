package kiln.firmware.fw12_3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/** 12.3 runs on G13 only; G14 gets the real driver's answer. */
class Firmware12_3Test {
    private final Firmware firmware = new Firmware12_3();

    @Test
    void g13HasThePreVenturaAbiAndAProgram() throws DrmException {
        assertEquals("12.3", firmware.version().toString());
        assertTrue(firmware.supports(GpuGen.G13, GpuVariant.D));
        assertFalse(firmware.abi(GpuGen.G13).field(AbiType.RUN_COMPUTE, "counter").present());
        assertEquals(GpuGen.G13, firmware.abi(GpuGen.G13).generation());
        assertNotSame(firmware.program(GpuGen.G13), firmware.program(GpuGen.G13), "one image per device");
    }

    @Test
    void g14IsAnUnsupportedCombination() {
        assertFalse(firmware.supports(GpuGen.G14, GpuVariant.G));
        DrmException abi = assertThrows(DrmException.class, () -> firmware.abi(GpuGen.G14));
        assertEquals(Errno.ENODEV, abi.errno());
        assertTrue(abi.getMessage().contains(Firmware.UNSUPPORTED), abi.getMessage());
        assertEquals(Errno.ENODEV, assertThrows(DrmException.class, () -> firmware.program(GpuGen.G14)).errno());
    }
}
