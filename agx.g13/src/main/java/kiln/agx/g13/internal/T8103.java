package kiln.agx.g13.internal;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/** The M1 GPU (apple,agx-t8103): generation G13, variant G. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t8103",
        GpuCore.CHIP_ID + ":Integer=" + 0x8103,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=G"})
public final class T8103 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t8103", 0x8103, GpuGen.G13, GpuVariant.G, "M1");

    @Override
    public ChipIdentity chip() {
        return CHIP;
    }
}
