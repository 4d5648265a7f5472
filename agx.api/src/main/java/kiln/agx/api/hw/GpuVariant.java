package kiln.agx.api.hw;

/**
 * GPU variant within a generation. Part of the UABI: {@link #uabi()} is the ASCII letter stored in
 * {@code drm_asahi_params_global.gpu_variant}.
 */
public enum GpuVariant {
    /** The smallest parts (no shipping chip Kiln models). */
    P('P'),
    /** Base parts: M1 (t8103), M2 (t8112). */
    G('G'),
    /** M1 Pro (t6000). */
    S('S'),
    /** M1 Max (t6001). */
    C('C'),
    /** M1 Ultra (t6002): two M1 Max dies. */
    D('D');

    private final char letter;

    GpuVariant(char letter) {
        this.letter = letter;
    }

    /** The UABI value: the variant's ASCII code. */
    public int uabi() {
        return letter;
    }
}
