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
import kiln.agx.api.hw.IncompatibleFeature;

/** The M1 Ultra GPU (apple,agx-t6002): generation G13, variant D. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t6002",
        GpuCore.CHIP_ID + ":Integer=" + 0x6002,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=D"})
public final class T6002 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t6002", 0x6002, GpuGen.G13, GpuVariant.D, "M1 Ultra");

    /** drm-asahi {@code HWCONFIG_T6002} (the reference notes, section 4.3). */
    static final HwConfig HW_CONFIG = new HwConfig(0x6002, GpuGen.G13, GpuVariant.D, FirmwareCoreId.G13C,
            Set.of(IncompatibleFeature.MANDATORY_ZS_COMPRESSION), 24_000_000L, 42, 2, 8, 8, 8, 4, 0x540, 0x280, 0x20,
            0xa540, 1.02f,
            0x8080808080808080L, 0x9090909090909090L, 0xff,
            GpuRevision.C0, G13OperatingPoints.t600x(8));

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
