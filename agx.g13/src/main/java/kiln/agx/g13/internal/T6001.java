package kiln.agx.g13.internal;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/** The M1 Max GPU (apple,agx-t6001): generation G13, variant C. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t6001",
        GpuCore.CHIP_ID + ":Integer=" + 0x6001,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=C"})
public final class T6001 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t6001", 0x6001, GpuGen.G13, GpuVariant.C, "M1 Max");

    @Override
    public ChipIdentity chip() {
        return CHIP;
    }
}
