package kiln.agx.api.firmware;

import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.api.silicon.AscProgram;
import kiln.drm.api.DrmException;

/**
 * One firmware revision a firmware bundle provides, registered as an OSGi service: its
 * version, the cores it runs on, its {@linkplain FirmwareAbi ABI} per generation and the
 * program the ASC runs.
 *
 * <p>Implemented by firmware plugin bundles, consumed by the driver, hence {@link ConsumerType}.
 * The service must carry {@link #VERSION} and {@link #GENERATIONS} so the driver can select
 * firmware by filter. Which (generation, variant) pairs a firmware supports follows the real
 * driver's probe table: the driver never binds a pair the firmware does not list, and
 * {@link #abi} and {@link #program} answer any other generation with ENODEV
 * ("Unsupported GPU/firmware combination"), the real driver's answer.
 *
 * <p>Everything here is immutable for the life of the service and safe from any thread; the
 * driver resolves an ABI once per device bind, never per call.
 */
@ConsumerType
public interface Firmware {
    /** Service property: the version as text ({@code String}), e.g. {@code 13.2}. */
    String VERSION = "agx.firmware.version";
    /** Service property: the supported generation names ({@code String[]}), e.g. {@code G13, G14}. */
    String GENERATIONS = "agx.firmware.generations";
    /** The message of the ENODEV for a pair the firmware does not support (the real driver's words). */
    String UNSUPPORTED = "Unsupported GPU/firmware combination";

    /** This firmware's ABI version. */
    FirmwareVersion version();

    /** Every (generation, variant) pair this firmware can run on. */
    Set<SupportedCore> supportedCores();

    /** Whether this firmware can run on the given core. */
    default boolean supports(GpuGen generation, GpuVariant variant) {
        return supportedCores().contains(new SupportedCore(generation, variant));
    }

    /**
     * The layouts of every firmware structure on {@code generation}.
     *
     * @throws DrmException ENODEV, {@link #UNSUPPORTED}, for a generation this firmware does not run on
     */
    FirmwareAbi abi(GpuGen generation) throws DrmException;

    /**
     * A fresh firmware image for {@code generation}, to load into the ASC; each device runs its own.
     *
     * @throws DrmException ENODEV, {@link #UNSUPPORTED}, for a generation this firmware does not run on
     */
    AscProgram program(GpuGen generation) throws DrmException;
}
