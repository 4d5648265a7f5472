package kiln.agx.api.hw;

import java.util.Objects;

/**
 * Who a chip is: the identity a device declaration matches on and the driver reports.
 *
 * @param compatible the device-tree compatible string, e.g. {@code apple,agx-t8103}
 * @param chipId the SoC number as the UABI reports it ({@code chip_id}), e.g. {@code 0x8103}
 * @param generation the GPU core generation
 * @param variant the GPU variant within the generation
 * @param marketingName the product name, e.g. {@code M1 Pro}; for people only
 */
public record ChipIdentity(String compatible, int chipId, GpuGen generation, GpuVariant variant, String marketingName) {
    /** The prefix every AGX compatible string carries. */
    public static final String COMPATIBLE_PREFIX = "apple,agx-";

    public ChipIdentity {
        Objects.requireNonNull(compatible, "compatible");
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(marketingName, "marketingName");
        if (!compatible.startsWith(COMPATIBLE_PREFIX)) {
            throw new IllegalArgumentException("compatible must start with " + COMPATIBLE_PREFIX + ": " + compatible);
        }
    }

    /** The chip's short name, e.g. {@code t8103}. */
    public String chipName() {
        return compatible.substring(COMPATIBLE_PREFIX.length());
    }
}
