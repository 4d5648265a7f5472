package kiln.agx.api.hw;

/**
 * The firmware ABI's {@code GpuCore} enum: which core design a chip is, as the firmware is told in
 * InitData. Values from drm-asahi {@code hw/mod.rs}; M1 Ultra (t6002) reports {@link #G13C}, unlike
 * the G14 Ultra, which has its own {@link #G14D}.
 */
public enum FirmwareCoreId {
    G13P(10),
    G13G(11),
    G13S(12),
    G13C(13),
    G14P(14),
    G14G(15),
    G14S(16),
    G14C(17),
    G14D(18);

    private final int value;

    FirmwareCoreId(int value) {
        this.value = value;
    }

    /** The value written into the firmware's structures. */
    public int value() {
        return value;
    }
}
