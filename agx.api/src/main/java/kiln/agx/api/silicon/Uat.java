package kiln.agx.api.silicon;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The GPU MMU, with the real geometry and formats ({@link kiln.agx.api.hw.UatFormat}).
 *
 * <h2>Translation</h2>
 * An access in context {@code slot} reads the slot's TTBAT entry from the {@code ttbs} region,
 * picks {@code ttb0} or {@code ttb1} by the VA's half and walks three levels of tables in
 * physical memory. It faults ({@link GpuFault}, latched in {@code FAULT_INFO}) with
 * {@code UNMAPPED} for a non-canonical VA, an invalid TTB, an empty entry, or an entry pointing
 * at memory nobody owns; {@code AF_FAULT} for a page entry without the access flag;
 * {@code WRITE_ONLY} for a read of a write-only page; {@code READ_ONLY} for a write to a
 * read-only one; {@code NO_ACCESS} when the agent may neither read nor write it.
 *
 * <h2>TLB</h2>
 * Successful translations are cached per context. The UAT does not watch the tables: after
 * changing or removing an entry (or a TTBAT slot) software must invalidate, exactly as drm-asahi
 * issues {@code tlbi} instructions. Until it does, the old translation may still be used; if the
 * old page has since been freed, the access faults {@code UNMAPPED} instead of reaching the
 * page's next owner. Invalidation by VA also drops global (kernel) entries for that VA;
 * invalidation by ASID drops only that context's non-global entries, as on ARM.
 */
@ProviderType
public interface Uat {
    /** {@code tlbi vmalle1os}: every cached translation. */
    void invalidateAll();

    /** {@code tlbi aside1os}: the non-global translations of one context. */
    void invalidateAsid(int slot);

    /** {@code tlbi vae1os} over a range: translations of {@code [va, va + bytes)} in {@code slot}, and global ones. */
    void invalidateRange(int slot, long va, long bytes);

    /**
     * Kiln's fault injection: the next access a GPU unit makes through a user context (slot 1 and
     * up) faults as unmapped, with {@code FAULT_INFO} latched as for a real fault.
     */
    void injectUserFault();

    /**
     * A view of context {@code slot}'s address space as {@code agent} sees it, reporting faults
     * as {@code unit} (a {@code FAULT_INFO} unit code).
     */
    GpuMemory context(int slot, UatAgent agent, int unit);
}
