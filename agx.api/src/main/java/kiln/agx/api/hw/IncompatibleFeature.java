package kiln.agx.api.hw;

import java.util.Set;

/**
 * Features userspace must support to drive a chip ({@code feat::incompat}); reported in the UAPI's
 * {@code feat_incompat} mask.
 */
public enum IncompatibleFeature {
    /** Depth/stencil attachments must be compressed (t600x). UAPI bit 0. */
    MANDATORY_ZS_COMPRESSION(1L << 0);

    private final long bit;

    IncompatibleFeature(long bit) {
        this.bit = bit;
    }

    public long bit() {
        return bit;
    }

    /** The UAPI mask of a set of features. */
    public static long mask(Set<IncompatibleFeature> features) {
        long mask = 0;
        for (IncompatibleFeature f : features) {
            mask |= f.bit;
        }
        return mask;
    }
}
