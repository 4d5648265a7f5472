package kiln.firmware.fw13_2.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.SupportedCore;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.firmware.FirmwareBundle;

/**
 * AGX firmware 13.2. The macOS 13.2 firmware ABI, for G13 (all variants) and the G14 base part
 * (M2), as in the RFC driver's (G13, 13.2) and (G14, G, 13.2) probe arms. Its layouts are
 * Ventura-style (the {@code counter}/{@code unk_ts} command fields, the 13.0b4 InitData
 * fields) plus the 13.2-only {@code Globals.unk_24_0} and {@code QueueInfo.unk_a0_0/unk_b0};
 * on G14, {@code DeviceControlMsg} and {@code RunWorkQueueMsg} are 16 bytes longer.
 */
@Component(service = Firmware.class, property = {
        Firmware.VERSION + "=13.2",
        Firmware.GENERATIONS + "=G13",
        Firmware.GENERATIONS + "=G14"})
public final class Firmware13_2 extends FirmwareBundle {
    static final FirmwareVersion VERSION = FirmwareVersion.parse("13.2");
    static final Set<SupportedCore> SUPPORTED = Set.of(
            new SupportedCore(GpuGen.G13, GpuVariant.G),
            new SupportedCore(GpuGen.G13, GpuVariant.S),
            new SupportedCore(GpuGen.G13, GpuVariant.C),
            new SupportedCore(GpuGen.G13, GpuVariant.D),
            new SupportedCore(GpuGen.G14, GpuVariant.G));

    public Firmware13_2() {
        super(VERSION, SUPPORTED);
    }
}
