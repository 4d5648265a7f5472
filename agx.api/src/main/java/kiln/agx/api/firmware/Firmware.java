package kiln.agx.api.firmware;

import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/**
 * One firmware revision a firmware bundle provides, registered as an OSGi service.
 *
 * <p>Implemented by firmware plugin bundles, consumed by the driver, hence {@link ConsumerType}.
 * The service must carry {@link #VERSION} and {@link #GENERATIONS} so the driver can select
 * firmware by filter. Which (generation, variant) pairs a firmware supports follows the real
 * driver's probe table: the driver never binds a pair the firmware does not list, and answers
 * such a request with ENODEV ("Unsupported GPU/firmware combination").
 */
@ConsumerType
public interface Firmware {
    /** Service property: the version as text ({@code String}), e.g. {@code 13.2}. */
    String VERSION = "agx.firmware.version";
    /** Service property: the supported generation names ({@code String[]}), e.g. {@code G13, G14}. */
    String GENERATIONS = "agx.firmware.generations";

    /** This firmware's ABI version; constant for the life of the service. */
    FirmwareVersion version();

    /** Every (generation, variant) pair this firmware can run on; constant for the life of the service. */
    Set<SupportedCore> supportedCores();

    /** Whether this firmware can run on the given core. */
    default boolean supports(GpuGen generation, GpuVariant variant) {
        return supportedCores().contains(new SupportedCore(generation, variant));
    }
}
