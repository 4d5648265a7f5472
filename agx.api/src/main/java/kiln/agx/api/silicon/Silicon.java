package kiln.agx.api.silicon;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import kiln.agx.api.hw.HwConfig;

/** One powered-on simulated GPU; see the {@linkplain kiln.agx.api.silicon package documentation}. */
@ProviderType
public interface Silicon extends AutoCloseable {
    /** The chip this silicon is. */
    HwConfig hwConfig();

    /** The register file. */
    Mmio mmio();

    /** The bootloader-provided regions ({@code handoff}, {@code ttbs}, {@code pagetables}). */
    List<ReservedRegion> reservedRegions();

    /** The region called {@code name}; {@link IllegalArgumentException} if there is none. */
    default ReservedRegion reservedRegion(String name) {
        return reservedRegions().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no reserved region " + name));
    }

    /** The GPU MMU. */
    Uat uat();

    /** The coprocessor that runs the firmware, and its mailbox. */
    Asc asc();

    /** The compute data master and the USC cores behind it. */
    ComputeUnit compute();

    /** The vertex pipe's tiler. */
    TilerUnit tiler();

    /** The fragment pipe. */
    FragmentUnit fragment();

    /** The GPU timestamp: ticks of the {@link HwConfig#baseClockHz() 24 MHz} clock since power-on. */
    long timestamp();

    /** Powers off: cancels running work, stops the workers and releases the reserved regions. */
    @Override
    void close();
}
