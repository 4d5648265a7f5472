package kiln.agx.api.core;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;

/**
 * One GPU chip a core bundle provides, registered as an OSGi service.
 *
 * <p>Implemented by core plugin bundles, consumed by the driver, hence {@link ConsumerType}. The
 * service must carry the properties named by the constants below so the driver can select cores
 * by filter without calling into them. A core service may go away at any time (its bundle stops);
 * the driver treats that as a hot-unplug of every device on the chip.
 */
@ConsumerType
public interface GpuCore {
    /** Service property: the chip's compatible string ({@code String}), e.g. {@code apple,agx-t8103}. */
    String COMPATIBLE = "agx.compatible";
    /** Service property: the chip id ({@code Integer}), e.g. {@code 0x8103}. */
    String CHIP_ID = "agx.chip.id";
    /** Service property: the generation name ({@code String}, a {@link kiln.agx.api.hw.GpuGen} name). */
    String GENERATION = "agx.gen";
    /** Service property: the variant name ({@code String}, a {@link kiln.agx.api.hw.GpuVariant} name). */
    String VARIANT = "agx.variant";

    /** The chip this core is; constant for the life of the service. */
    ChipIdentity chip();

    /** The chip's static hardware description; constant for the life of the service. */
    HwConfig hwConfig();

    /**
     * Powers on a new simulated part of this chip using the machine's physical memory: allocates
     * its reserved regions and starts its workers. The caller owns the result and closes it.
     *
     * @throws DrmException ENOMEM if the reserved regions cannot be allocated
     */
    Silicon powerOn(PhysicalMemory memory, SiliconOptions options) throws DrmException;
}
