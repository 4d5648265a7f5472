/**
 * The drm_mm implementation (private to the bundle). {@link kiln.drm.impl.mm.DrmMm} keeps the
 * kernel's data model: nodes in an address-ordered list closed by a sentinel, the hole after each
 * node indexed three ways ({@link kiln.drm.impl.mm.HoleTree} by address with subtree maxima,
 * {@link kiln.drm.impl.mm.SizeTree} by size, and the MRU hole stack for EVICT), all intrusive:
 * indexing a hole allocates nothing.
 */
package kiln.drm.impl.mm;
