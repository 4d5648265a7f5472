package kiln.agx.g13.internal;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/** The M1 Ultra GPU (apple,agx-t6002): generation G13, variant D. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t6002",
        GpuCore.CHIP_ID + ":Integer=" + 0x6002,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=D"})
public final class T6002 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t6002", 0x6002, GpuGen.G13, GpuVariant.D, "M1 Ultra");

    @Override
    public ChipIdentity chip() {
        return CHIP;
    }
}
