package kiln.agx.api.hw;

/**
 * The UAT fault register ({@code FAULT_INFO}, MMIO 0x17030, 64 bits) in drm-asahi's decoding:
 * valid bit 0; reason [3:1]; read bit 4; an unknown field [6:5]; page-table level [8:7]; the
 * faulting unit [16:9]; the VM slot (UAT context) [22:17]; a sideband code [29:23]; the fault
 * address in 64-byte granules from bit 30 ({@code address = (reg >> 30) << 6}). The silicon encodes
 * faults with {@link #encode()}; the driver decodes them with {@link #decode(long)}.
 *
 * @param reason   why the access failed; {@code null} for an unnamed code
 * @param read     true for a read, false for a write
 * @param unknown5 bits [6:5], kept so a decode/encode round trip is exact
 * @param level    the page-table level the walk stopped at (0-3)
 * @param unit     the unit code (see {@link #unitName()})
 * @param vmSlot   the UAT context slot of the faulting work (0-63)
 * @param sideband bits [29:23]
 * @param address  the faulting GPU virtual address, 64-byte aligned (bits below 6 are lost)
 */
public record FaultInfo(FaultReason reason, boolean read, int unknown5, int level, int unit, int vmSlot, int sideband,
        long address) {
    /** MMIO offset of the register in the SGX region. */
    public static final int REGISTER_OFFSET = 0x17030;

    private static final String[] CLUSTER_UNITS = {"DCMP", "UL1C", "CMP", "GSL1", "IAP", "VCE", "TE", "RAS", "VDM",
        "PPP", "IPF", "IPF_CPF", "VF", "VF_CPF", "ZLS"};

    public FaultInfo {
        if (unknown5 < 0 || unknown5 > 3 || level < 0 || level > 3 || unit < 0 || unit > 0xff || vmSlot < 0
                || vmSlot > 63 || sideband < 0 || sideband > 0x7f || address < 0 || (address & 0x3f) != 0) {
            throw new IllegalArgumentException("field out of range: " + unknown5 + "/" + level + "/" + unit + "/"
                    + vmSlot + "/" + sideband + "/0x" + Long.toHexString(address));
        }
    }

    /** The register value for this fault (valid bit set). */
    public long encode() {
        int reasonCode = reason == null ? 7 : reason.code();
        return 1L
                | (long) reasonCode << 1
                | (read ? 1L : 0L) << 4
                | (long) unknown5 << 5
                | (long) level << 7
                | (long) unit << 9
                | (long) vmSlot << 17
                | (long) sideband << 23
                | (address >>> 6) << 30;
    }

    /** Decodes a register value; {@code null} if its valid bit is clear (no fault recorded). */
    public static FaultInfo decode(long register) {
        if ((register & 1) == 0) {
            return null;
        }
        return new FaultInfo(FaultReason.of((int) (register >>> 1) & 7), (register & (1 << 4)) != 0,
                (int) (register >>> 5) & 3, (int) (register >>> 7) & 3, (int) (register >>> 9) & 0xff,
                (int) (register >>> 17) & 0x3f, (int) (register >>> 23) & 0x7f, (register >>> 30) << 6);
    }

    /**
     * The unit's name as drm-asahi's decoder has it: per-cluster units (0x00-0x9f) are a name from
     * the low nibble and an index from the high one (0x11 is {@code UL1C(1)}); 0xa1-0xb8 are named die-level
     * units; 0xe0-0xff are global sideband units the reference does not name one by one.
     */
    public String unitName() {
        if (unit <= 0x9f) {
            int kind = unit & 0xf;
            return kind < CLUSTER_UNITS.length ? CLUSTER_UNITS[kind] + "(" + (unit >> 4) + ")" : unknown();
        }
        return switch (unit) {
            case 0xa1 -> "dPM";
            case 0xa2, 0xa3, 0xa4 -> "dCDM_KS" + (unit - 0xa2);
            case 0xa5 -> "dIPP";
            case 0xa6 -> "dIPP_CS";
            case 0xa7 -> "dVDM_CSD";
            case 0xa8 -> "dVDM_SSD";
            case 0xa9 -> "dVDM_ILF";
            case 0xaa -> "dVDM_ILD";
            case 0xab, 0xac -> "dRDE" + (unit - 0xab);
            case 0xad -> "FC";
            case 0xae -> "GSL2";
            case 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7 -> "GL2CC_META" + (unit - 0xb0);
            case 0xb8 -> "GL2CC_MB";
            default -> unit >= 0xe0 ? String.format("g*_SP(0x%02x)", unit) : unknown();
        };
    }

    private String unknown() {
        return String.format("unknown(0x%02x)", unit);
    }

    @Override
    public String toString() {
        return (reason == null ? "reason?" : reason.name()) + (read ? " read" : " write") + " at 0x"
                + Long.toHexString(address) + " level " + level + " unit " + unitName() + " slot " + vmSlot;
    }
}
