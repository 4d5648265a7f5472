package kiln.firmware.fw13_2.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.SupportedCore;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/**
 * AGX firmware 13.2. The macOS 13.2 firmware ABI, for G13 (all variants) and the
 * G14 base part (M2), as in the RFC driver's (G13, 13.2) and (G14, G, 13.2) probe arms.
 */
@Component(service = Firmware.class, property = {
        Firmware.VERSION + "=13.2",
        Firmware.GENERATIONS + "=G13",
        Firmware.GENERATIONS + "=G14"})
public final class Firmware13_2 implements Firmware {
    static final FirmwareVersion VERSION = FirmwareVersion.parse("13.2");
    static final Set<SupportedCore> SUPPORTED = Set.of(
            new SupportedCore(GpuGen.G13, GpuVariant.G),
            new SupportedCore(GpuGen.G13, GpuVariant.S),
            new SupportedCore(GpuGen.G13, GpuVariant.C),
            new SupportedCore(GpuGen.G13, GpuVariant.D),
            new SupportedCore(GpuGen.G14, GpuVariant.G));

    @Override
    public FirmwareVersion version() {
        return VERSION;
    }

    @Override
    public Set<SupportedCore> supportedCores() {
        return SUPPORTED;
    }
}
