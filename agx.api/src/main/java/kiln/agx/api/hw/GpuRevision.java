package kiln.agx.api.hw;

/**
 * Silicon revision: the UABI value is BCD-like ({@code ID_VERSION[15:8]}: A0 0x00, A1 0x01, B0 0x10,
 * B1 0x11, C0 0x20, C1 0x21); the firmware ABI numbers the same revisions 1-6 ({@code GpuRevisionID},
 * 0 meaning unknown).
 */
public enum GpuRevision {
    A0(0x00, 1), A1(0x01, 2), B0(0x10, 3), B1(0x11, 4), C0(0x20, 5), C1(0x21, 6);

    private final int uabi;
    private final int firmwareId;

    GpuRevision(int uabi, int firmwareId) {
        this.uabi = uabi;
        this.firmwareId = firmwareId;
    }

    /** The UABI / {@code ID_VERSION[15:8]} value. */
    public int uabi() {
        return uabi;
    }

    /** The firmware ABI's {@code gpu_rev_id}. */
    public int firmwareId() {
        return firmwareId;
    }

    /** The revision for an {@code ID_VERSION[15:8]} value, or {@code null} if it names none. */
    public static GpuRevision ofUabi(int value) {
        for (GpuRevision r : values()) {
            if (r.uabi == value) {
                return r;
            }
        }
        return null;
    }
}
