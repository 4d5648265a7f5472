package kiln.agx.g13.internal;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/** The M1 Pro GPU (apple,agx-t6000): generation G13, variant S. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t6000",
        GpuCore.CHIP_ID + ":Integer=" + 0x6000,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=S"})
public final class T6000 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t6000", 0x6000, GpuGen.G13, GpuVariant.S, "M1 Pro");

    @Override
    public ChipIdentity chip() {
        return CHIP;
    }
}
