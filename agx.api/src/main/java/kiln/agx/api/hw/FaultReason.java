package kiln.agx.api.hw;

/** Why the UAT refused an access: {@code FAULT_INFO} bits [3:1]. */
public enum FaultReason {
    /** No valid translation at some level. */
    UNMAPPED,
    /** The access flag of the entry is clear. */
    AF_FAULT,
    /** A read of a write-only page. */
    WRITE_ONLY,
    /** A write to a read-only page. */
    READ_ONLY,
    /** The page allows the GPU no access at all (firmware-only). */
    NO_ACCESS;

    /** The 3-bit code in the register. */
    public int code() {
        return ordinal();
    }

    /** The reason for a code, or {@code null} for the codes the real driver does not name (5-7). */
    public static FaultReason of(int code) {
        return code >= 0 && code < values().length ? values()[code] : null;
    }
}
