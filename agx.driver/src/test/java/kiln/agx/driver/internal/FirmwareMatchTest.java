package kiln.agx.driver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.SupportedCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.driver.internal.PluginCatalog.FirmwareEntry;

class FirmwareMatchTest {
    static final ChipIdentity M1 = new ChipIdentity("apple,agx-t8103", 0x8103, GpuGen.G13, GpuVariant.G, "M1");
    static final ChipIdentity M2 = new ChipIdentity("apple,agx-t8112", 0x8112, GpuGen.G14, GpuVariant.G, "M2");
    static final FirmwareEntry FW12_3 = new FirmwareEntry(FirmwareVersion.parse("12.3"),
            Set.of(new SupportedCore(GpuGen.G13, GpuVariant.G)), "firmware.fw12_3", 7);
    static final FirmwareEntry FW13_2 = new FirmwareEntry(FirmwareVersion.parse("13.2"),
            Set.of(new SupportedCore(GpuGen.G13, GpuVariant.G), new SupportedCore(GpuGen.G14, GpuVariant.G)), "firmware.fw13_2", 8);

    @Test
    void newestCompatibleWins() {
        assertEquals(FW13_2, FirmwareMatch.newestFor(M1, List.of(FW12_3, FW13_2)).orElseThrow());
        assertEquals(FW13_2, FirmwareMatch.newestFor(M1, List.of(FW13_2, FW12_3)).orElseThrow());
    }

    @Test
    void olderFirmwareServesWhenTheNewestIsGone() {
        assertEquals(FW12_3, FirmwareMatch.newestFor(M1, List.of(FW12_3)).orElseThrow());
    }

    @Test
    void g14NeverRunsFirmwareThatDoesNotListIt() {
        assertTrue(FirmwareMatch.newestFor(M2, List.of(FW12_3)).isEmpty());
        assertEquals(FW13_2, FirmwareMatch.newestFor(M2, List.of(FW12_3, FW13_2)).orElseThrow());
    }
}
