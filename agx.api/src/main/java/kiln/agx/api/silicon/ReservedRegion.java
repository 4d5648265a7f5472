package kiln.agx.api.silicon;

/**
 * A DT {@code reserved-memory} region the bootloader (m1n1) sets up for the GPU, in physical
 * memory: {@link #HANDOFF} (the AP/firmware UAT handoff block), {@link #TTBS} (the TTBAT, 64
 * contexts of 16 bytes) and {@link #PAGETABLES} (the kernel's upper-half root table).
 *
 * @param name            the region's {@code memory-region-names} entry
 * @param physicalAddress where it starts
 * @param bytes           its size
 */
public record ReservedRegion(String name, long physicalAddress, long bytes) {
    /** The UAT handoff region. */
    public static final String HANDOFF = "handoff";
    /** The TTBAT region. */
    public static final String TTBS = "ttbs";
    /** The kernel page-table root region. */
    public static final String PAGETABLES = "pagetables";
}
