package kiln.agx.g14.internal;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/** The M2 GPU (apple,agx-t8112): generation G14, variant G. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t8112",
        GpuCore.CHIP_ID + ":Integer=" + 0x8112,
        GpuCore.GENERATION + "=G14",
        GpuCore.VARIANT + "=G"})
public final class T8112 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t8112", 0x8112, GpuGen.G14, GpuVariant.G, "M2");

    @Override
    public ChipIdentity chip() {
        return CHIP;
    }
}
