package kiln.agx.api.silicon;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The register file ({@link kiln.agx.api.hw.AgxRegisters} names the offsets). Registers Kiln
 * does not model read as 0 and ignore writes, as unimplemented registers do; read-only ones
 * ignore writes. An offset that is not 4-byte aligned or outside the window is a bus error:
 * {@link IllegalArgumentException}.
 */
@ProviderType
public interface Mmio {
    /** Reads a 32-bit register. */
    int read32(MmioRegion region, int offset);

    /** Writes a 32-bit register. */
    void write32(MmioRegion region, int offset, int value);

    /** Reads a 64-bit register (low word at {@code offset}). */
    long read64(MmioRegion region, int offset);

    /** Writes a 64-bit register. */
    void write64(MmioRegion region, int offset, long value);
}
