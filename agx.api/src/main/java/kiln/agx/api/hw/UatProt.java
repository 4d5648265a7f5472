package kiln.agx.api.hw;

/**
 * The mapping protections drm-asahi uses ({@code mmu::prot}), each an AP/UXN/PXN combination plus
 * a memory attribute. "Shared" (uncached) mappings are coherent with the CPU; "private" (cached)
 * ones are not, which is why the driver flushes the firmware cache before reusing them.
 */
public enum UatProt {
    /** Firmware MMIO, read/write. */
    FW_MMIO_RW(UatFormat.AP_FW, 1, 0, UatFormat.MEMATTR_DEVICE),
    /** Firmware MMIO, read-only. */
    FW_MMIO_RO(UatFormat.AP_FW, 0, 0, UatFormat.MEMATTR_DEVICE),
    /** Firmware shared (uncached), read/write. */
    FW_SHARED_RW(UatFormat.AP_FW, 1, 0, UatFormat.MEMATTR_UNCACHED),
    /** Firmware shared (uncached), read-only. */
    FW_SHARED_RO(UatFormat.AP_FW, 0, 0, UatFormat.MEMATTR_UNCACHED),
    /** Firmware private (cached), read/write. */
    FW_PRIV_RW(UatFormat.AP_FW, 1, 0, UatFormat.MEMATTR_CACHED),
    /** Firmware and GPU, shared (uncached), read/write. */
    GPU_FW_SHARED_RW(UatFormat.AP_FW_GPU, 1, 1, UatFormat.MEMATTR_UNCACHED),
    /** Firmware and GPU, private (cached), read/write. */
    GPU_FW_PRIV_RW(UatFormat.AP_FW_GPU, 1, 1, UatFormat.MEMATTR_CACHED),
    /** Firmware read/write, GPU read-only, private. */
    GPU_RO_FW_PRIV_RW(UatFormat.AP_FW, 1, 1, UatFormat.MEMATTR_CACHED),
    /** GPU only, shared, read/write. */
    GPU_SHARED_RW(UatFormat.AP_GPU, 1, 0, UatFormat.MEMATTR_UNCACHED),
    /** GPU only, shared, read-only. */
    GPU_SHARED_RO(UatFormat.AP_GPU, 0, 0, UatFormat.MEMATTR_UNCACHED),
    /** GPU only, shared, write-only. */
    GPU_SHARED_WO(UatFormat.AP_GPU, 0, 1, UatFormat.MEMATTR_UNCACHED);

    private final long entryBits;

    UatProt(int ap, int uxn, int pxn, int memattr) {
        int high = UatFormat.HIGH_GPU_ACCESS | pxn * UatFormat.HIGH_PXN | uxn * UatFormat.HIGH_UXN;
        this.entryBits = (long) ap << UatFormat.AP_SHIFT | (long) high << UatFormat.HIGH_BITS_SHIFT
                | (long) memattr << UatFormat.MEMATTR_SHIFT | UatFormat.ACCESS_FLAG;
    }

    /** The entry bits (AP, high bits, memory attribute, access flag) without address or type. */
    public long entryBits() {
        return entryBits;
    }
}
