/** GEM, GEM-shmem, the page pool and PRIME (private to the bundle). */
package kiln.drm.impl.gem;
