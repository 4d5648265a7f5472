package kiln.agx.api.hw;

/**
 * GPU core generation. Part of the UABI: {@link #uabi()} is the value of
 * {@code drm_asahi_params_global.gpu_generation}.
 */
public enum GpuGen {
    /** M1, M1 Pro, M1 Max, M1 Ultra. MMIO {@code ID_VERSION[31:24]} = 4. */
    G13(13, 4),
    /** M2. MMIO {@code ID_VERSION[31:24]} = 5. */
    G14(14, 5);

    private final int uabi;
    private final int idVersionCode;

    GpuGen(int uabi, int idVersionCode) {
        this.uabi = uabi;
        this.idVersionCode = idVersionCode;
    }

    /** The UABI value (13 or 14). */
    public int uabi() {
        return uabi;
    }

    /** The generation code in bits 31:24 of the {@code ID_VERSION} MMIO register. */
    public int idVersionCode() {
        return idVersionCode;
    }
}
