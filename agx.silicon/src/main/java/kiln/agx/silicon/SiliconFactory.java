package kiln.agx.silicon;

import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.silicon.impl.AgxSilicon;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;

/** Builds simulated parts for core bundles. */
public final class SiliconFactory {
    private SiliconFactory() {
    }

    /**
     * Powers on a part of the chip {@code hw} describes, in {@code memory}.
     *
     * @throws DrmException ENOMEM if its reserved regions cannot be allocated
     * @throws IllegalArgumentException for core masks that do not fit the chip
     */
    public static Silicon powerOn(HwConfig hw, PhysicalMemory memory, SiliconOptions options) throws DrmException {
        return AgxSilicon.powerOn(hw, memory, options);
    }
}
