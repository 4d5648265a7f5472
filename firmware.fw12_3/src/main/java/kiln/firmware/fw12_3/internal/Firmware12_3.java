package kiln.firmware.fw12_3.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.SupportedCore;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.firmware.FirmwareBundle;

/**
 * AGX firmware 12.3. The macOS 12.3 firmware ABI. It exists for G13 only: M2 (G14) shipped with
 * 12.4, so the real driver has no (G14, 12.3) arm and neither does Kiln ({@link #abi} answers
 * G14 with ENODEV). Its layouts are pre-Ventura: no command {@code counter}, the 12.x-only
 * {@code HwDataB} fields, {@code STATS} payload 0x2c.
 */
@Component(service = Firmware.class, property = {
        Firmware.VERSION + "=12.3",
        Firmware.GENERATIONS + "=G13"})
public final class Firmware12_3 extends FirmwareBundle {
    static final FirmwareVersion VERSION = FirmwareVersion.parse("12.3");
    static final Set<SupportedCore> SUPPORTED = Set.of(
            new SupportedCore(GpuGen.G13, GpuVariant.G),
            new SupportedCore(GpuGen.G13, GpuVariant.S),
            new SupportedCore(GpuGen.G13, GpuVariant.C),
            new SupportedCore(GpuGen.G13, GpuVariant.D));

    public Firmware12_3() {
        super(VERSION, SUPPORTED);
    }
}
