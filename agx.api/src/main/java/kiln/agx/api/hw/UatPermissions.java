package kiln.agx.api.hw;

/**
 * What a page entry lets the firmware (the ASC) and the GPU's units do. The AP field says who the
 * entry is for; UXN and PXN then act as write and read enables, as drm-asahi's protection table
 * has them:
 *
 * <table>
 * <caption>AP, UXN, PXN to permissions</caption>
 * <tr><th>AP</th><th>UXN PXN = 00</th><th>01</th><th>10</th><th>11</th></tr>
 * <tr><td>0 (FW+GPU)</td><td>none</td><td>both RO</td><td>both WO</td><td>both RW</td></tr>
 * <tr><td>1 (FW)</td><td>FW RO</td><td>none</td><td>FW RW</td><td>FW RW, GPU RO</td></tr>
 * <tr><td>2 (GPU)</td><td>GPU RO</td><td>GPU WO</td><td>GPU RW</td><td>none</td></tr>
 * </table>
 *
 * AP 3 and entries without the GPU-access high bit grant the GPU nothing (Kiln's reading; the
 * driver never writes either).
 *
 * @param firmwareRead  the ASC may read
 * @param firmwareWrite the ASC may write
 * @param gpuRead       GPU units may read
 * @param gpuWrite      GPU units may write
 */
public record UatPermissions(boolean firmwareRead, boolean firmwareWrite, boolean gpuRead, boolean gpuWrite) {
    private static final UatPermissions NONE = new UatPermissions(false, false, false, false);

    /** Decodes a page entry's permissions. */
    public static UatPermissions decode(long entry) {
        int ap = (int) (entry >>> UatFormat.AP_SHIFT) & 3;
        int high = (int) (entry >>> UatFormat.HIGH_BITS_SHIFT) & 7;
        boolean uxn = (high & UatFormat.HIGH_UXN) != 0;
        boolean pxn = (high & UatFormat.HIGH_PXN) != 0;
        boolean gpuAccess = (high & UatFormat.HIGH_GPU_ACCESS) != 0;
        UatPermissions p = switch (ap) {
            case UatFormat.AP_FW_GPU -> new UatPermissions(pxn, uxn, pxn, uxn);
            case UatFormat.AP_FW -> uxn ? new UatPermissions(true, true, pxn, false)
                    : pxn ? NONE : new UatPermissions(true, false, false, false);
            case UatFormat.AP_GPU -> uxn && pxn ? NONE : new UatPermissions(false, false, !pxn, uxn || pxn);
            default -> NONE;
        };
        return gpuAccess ? p : new UatPermissions(p.firmwareRead, p.firmwareWrite, false, false);
    }

    /** Whether {@code agent} may read. */
    public boolean canRead(boolean firmware) {
        return firmware ? firmwareRead : gpuRead;
    }

    /** Whether {@code agent} may write. */
    public boolean canWrite(boolean firmware) {
        return firmware ? firmwareWrite : gpuWrite;
    }
}
