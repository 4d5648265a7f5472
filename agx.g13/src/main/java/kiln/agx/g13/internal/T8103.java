package kiln.agx.g13.internal;

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

/** The M1 GPU (apple,agx-t8103): generation G13, variant G. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t8103",
        GpuCore.CHIP_ID + ":Integer=" + 0x8103,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=G"})
public final class T8103 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t8103", 0x8103, GpuGen.G13, GpuVariant.G, "M1");

    /** drm-asahi {@code HWCONFIG_T8103} (the reference notes, section 4.3). */
    static final HwConfig HW_CONFIG = new HwConfig(0x8103, GpuGen.G13, GpuVariant.G, FirmwareCoreId.G13G,
            Set.of(), 24_000_000L, 40, 1, 1, 8, 8, 4, 0x540, 0x280, 0x20, 0xa041, 1.02f,
            0x12L, 0x12L, 0x01,
            GpuRevision.B1, G13OperatingPoints.t8103());

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
