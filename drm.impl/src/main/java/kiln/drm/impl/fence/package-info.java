/**
 * The dma_fence implementation (private to the bundle): a lock-free {@link kiln.drm.impl.fence.Fence}
 * whose state word is either the stack of pending callbacks or the signalled mark, so adding a
 * callback and signalling are one compare-and-set each, and waiting is a callback that unparks.
 */
package kiln.drm.impl.fence;
