package kiln.agx.g14.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.FirmwareCoreId;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuRevision;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.silicon.SiliconFactory;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;

/** The M2 GPU (apple,agx-t8112): generation G14, variant G. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t8112",
        GpuCore.CHIP_ID + ":Integer=" + 0x8112,
        GpuCore.GENERATION + "=G14",
        GpuCore.VARIANT + "=G"})
public final class T8112 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t8112", 0x8112, GpuGen.G14, GpuVariant.G, "M2");

    /** drm-asahi {@code HWCONFIG_T8112} (the reference notes, section 4.3). */
    static final HwConfig HW_CONFIG = new HwConfig(0x8112, GpuGen.G14, GpuVariant.G, FirmwareCoreId.G14G,
            Set.of(), 24_000_000L, 40, 1, 1, 10, 10, 4, 0x540, 0x280, 0x20, 0xa041, 1.02f,
            0x6800L, 0x6800L, 0x02,
            GpuRevision.A1, G14OperatingPoints.t8112());

    @Override
    public ChipIdentity chip() {
        return CHIP;
    }

    @Override
    public HwConfig hwConfig() {
        return HW_CONFIG;
    }

    @Override
    public Silicon powerOn(PhysicalMemory memory, SiliconOptions options) throws DrmException {
        return SiliconFactory.powerOn(HW_CONFIG, memory, options);
    }
}
