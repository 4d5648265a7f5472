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

/** The M1 Max GPU (apple,agx-t6001): generation G13, variant C. Values from the drm-asahi hardware tables. */
@Component(service = GpuCore.class, property = {
        GpuCore.COMPATIBLE + "=apple,agx-t6001",
        GpuCore.CHIP_ID + ":Integer=" + 0x6001,
        GpuCore.GENERATION + "=G13",
        GpuCore.VARIANT + "=C"})
public final class T6001 implements GpuCore {
    static final ChipIdentity CHIP = new ChipIdentity("apple,agx-t6001", 0x6001, GpuGen.G13, GpuVariant.C, "M1 Max");

    /** drm-asahi {@code HWCONFIG_T6001} (the reference notes, section 4.3). */
    static final HwConfig HW_CONFIG = new HwConfig(0x6001, GpuGen.G13, GpuVariant.C, FirmwareCoreId.G13C,
            Set.of(IncompatibleFeature.MANDATORY_ZS_COMPRESSION), 24_000_000L, 42, 1, 4, 8, 8, 4, 0x540, 0x280, 0x20, 0xa540, 1.02f,
            0x80808080L, 0x90909090L, 0x0f,
            GpuRevision.C0, G13OperatingPoints.t600x(4));

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
