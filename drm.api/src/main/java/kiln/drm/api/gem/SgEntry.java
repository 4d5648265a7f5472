package kiln.drm.api.gem;

/**
 * One scatter-list entry ({@code SGEntry}): a physically contiguous run of pages.
 *
 * @param dmaAddress the run's physical address in the simulated machine, in bytes
 * @param length     bytes in the run
 */
public record SgEntry(long dmaAddress, long length) {
}
