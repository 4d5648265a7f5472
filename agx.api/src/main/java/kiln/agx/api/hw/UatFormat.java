package kiln.agx.api.hw;

/**
 * The UAT's in-memory formats, as drm-asahi's page-table code writes them ({@code pgtable.rs}):
 * translation-table base entries (TTBAT), table and page entries, and the level geometry. The
 * driver encodes with these constants and the silicon decodes with them, so both sides agree
 * by construction.
 *
 * <h2>Geometry</h2>
 * 16 KiB pages, 8-byte entries (2048 per table), three levels: the root indexes VA bits [38:36]
 * (8 entries used), the middle one [35:25], the leaf [24:14]. Output addresses are masked to the
 * chip's {@link HwConfig#uatOutputAddressBits() uat_oas}. The lower half of the VA space
 * (bits [63:39] zero) translates through a context's {@code ttb0}; the upper half (bits [63:39]
 * all ones: kernel addresses such as {@code 0xffffffa000000000}) through {@code ttb1}.
 *
 * <h2>TTBAT</h2>
 * {@link HwConfig#UAT_CONTEXTS 64} contexts of {@link #TTBAT_ENTRY_BYTES 16} bytes in the
 * {@code ttbs} reserved region: {@code ttb0} then {@code ttb1}, each
 * {@code table | VALID | slot << 48} (the slot doubles as the ASID).
 *
 * <h2>Entries</h2>
 * Bits [1:0] are 3 for a valid table or page entry, 0 for an empty one. A page entry carries
 * the memory attribute [4:2], the access permission AP [7:6], the access flag (bit 10), the
 * non-global bit (11, user mappings) and from bit 53 the high bits PXN (0), UXN (1) and GPU
 * access (2). How AP, UXN and PXN combine into firmware and GPU permissions is
 * {@link UatPermissions#decode(long)}.
 *
 * <h2>Fault levels</h2>
 * The level a fault reports is the table whose entry stopped the walk, counted from the root:
 * 0 root, 1 middle, 2 leaf. (The real numbering is not documented; this one is Kiln's.)
 */
public final class UatFormat {
    private UatFormat() {
    }

    /** log2 of the page size. */
    public static final int PAGE_SHIFT = 14;
    /** Page size in bytes. */
    public static final long PAGE_BYTES = 1L << PAGE_SHIFT;
    /** Entries per table (a 16 KiB page of 8-byte entries). */
    public static final int ENTRIES_PER_TABLE = 2048;
    /** VA bit each level's index starts at, root first ({@code index_shift} of the InitData level info). */
    public static final int[] LEVEL_SHIFTS = {36, 25, 14};
    /** Entries each level uses, root first. */
    public static final int[] LEVEL_ENTRIES = {8, 2048, 2048};
    /** Input address bits per half ({@code UAT_IAS}). */
    public static final int INPUT_ADDRESS_BITS = 39;
    /** Lowest user VA ({@code IOVA_USER_BASE}): page 0 is never mapped. */
    public static final long USER_VA_BASE = 0x4000L;

    /** Bytes per TTBAT context: {@code ttb0} and {@code ttb1}. */
    public static final int TTBAT_ENTRY_BYTES = 16;
    /** Valid bit of a TTB. */
    public static final long TTB_VALID = 1L;
    /** Where a TTB carries its slot/ASID. */
    public static final int TTB_ASID_SHIFT = 48;

    /** The type bits of an entry. */
    public static final long TYPE_MASK = 3L;
    /** Type of a valid table or page entry. */
    public static final long TYPE_TABLE_OR_PAGE = 3L;
    /** Memory attribute field shift (3 bits). */
    public static final int MEMATTR_SHIFT = 2;
    /** Access permission field shift (2 bits). */
    public static final int AP_SHIFT = 6;
    /** The access flag: an entry without it faults with {@link FaultReason#AF_FAULT}. */
    public static final long ACCESS_FLAG = 1L << 10;
    /** Non-global: the translation belongs to one ASID (user mappings). */
    public static final long NON_GLOBAL = 1L << 11;
    /** High bits field shift (3 bits: PXN, UXN, GPU access). */
    public static final int HIGH_BITS_SHIFT = 53;

    /** AP: firmware and GPU share the permission. */
    public static final int AP_FW_GPU = 0;
    /** AP: firmware only (GPU read-only at most). */
    public static final int AP_FW = 1;
    /** AP: GPU only. */
    public static final int AP_GPU = 2;
    /** High bit: PXN. */
    public static final int HIGH_PXN = 1;
    /** High bit: UXN. */
    public static final int HIGH_UXN = 2;
    /** High bit: the GPU may use the entry at all. */
    public static final int HIGH_GPU_ACCESS = 4;
    /** Memory attribute: cached (firmware-private). */
    public static final int MEMATTR_CACHED = 0;
    /** Memory attribute: device (MMIO). */
    public static final int MEMATTR_DEVICE = 1;
    /** Memory attribute: uncached (coherent, shared). */
    public static final int MEMATTR_UNCACHED = 2;

    /** A table entry pointing at the next-level table at {@code physicalAddress}. */
    public static long tableEntry(long physicalAddress) {
        return physicalAddress | TYPE_TABLE_OR_PAGE;
    }

    /** A page entry mapping {@code physicalAddress} with {@code prot}; user mappings are non-global. */
    public static long pageEntry(long physicalAddress, UatProt prot, boolean user) {
        return physicalAddress | prot.entryBits() | TYPE_TABLE_OR_PAGE | (user ? NON_GLOBAL : 0);
    }

    /** A TTB value for a context slot. */
    public static long ttb(long tablePhysicalAddress, int slot) {
        return tablePhysicalAddress | TTB_VALID | (long) slot << TTB_ASID_SHIFT;
    }

    /** The physical address an entry or TTB points at, for a chip with {@code oas} output bits. */
    public static long outputAddress(long entry, int oas) {
        return entry & ((1L << oas) - 1) & ~(PAGE_BYTES - 1);
    }

    /** The index {@code va} selects at {@code level} (0 = root). */
    public static int index(long va, int level) {
        return (int) (va >>> LEVEL_SHIFTS[level]) & (level == 0 ? LEVEL_ENTRIES[0] - 1 : ENTRIES_PER_TABLE - 1);
    }

    /** Whether {@code va} is in the upper (kernel, {@code ttb1}) half; neither half is {@link #isCanonical}-checked here. */
    public static boolean isUpperHalf(long va) {
        return va < 0;
    }

    /** Whether bits [63:39] are all zeros or all ones. */
    public static boolean isCanonical(long va) {
        long top = va >> INPUT_ADDRESS_BITS;
        return top == 0 || top == -1;
    }
}
