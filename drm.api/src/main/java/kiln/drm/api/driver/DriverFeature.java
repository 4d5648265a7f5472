package kiln.drm.api.driver;

import java.util.Set;

/** {@code enum drm_driver_feature}, with the kernel's bit values. */
public enum DriverFeature {
    GEM(1 << 0),
    MODESET(1 << 1),
    RENDER(1 << 3),
    ATOMIC(1 << 4),
    SYNCOBJ(1 << 5),
    SYNCOBJ_TIMELINE(1 << 6);

    private final int bit;

    DriverFeature(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static int mask(Set<DriverFeature> features) {
        int mask = 0;
        for (DriverFeature f : features) {
            mask |= f.bit;
        }
        return mask;
    }
}
