package kiln.agx.api.firmware;

import java.util.Objects;

import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuVariant;

/**
 * A (generation, variant) pair a firmware runs on.
 *
 * @param generation the core generation
 * @param variant the variant within the generation
 */
public record SupportedCore(GpuGen generation, GpuVariant variant) {
    public SupportedCore {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(variant, "variant");
    }

    @Override
    public String toString() {
        return generation + variant.name();
    }
}
