/**
 * dma_fence: the completion of one piece of work, as Linux models it.
 *
 * <h2>Model</h2>
 * A fence belongs to a <em>context</em> (a timeline, {@link kiln.drm.api.fence.FenceContext}) and
 * carries a sequence number; fences of one context are created with increasing seqnos and signal
 * in that order. The producer of the work holds the {@link kiln.drm.api.fence.SignalableFence};
 * everybody else sees a {@link kiln.drm.api.fence.DmaFence}, which can only be observed.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>A fence signals exactly once. A second {@code signal()} is refused with EINVAL (the kernel's
 * {@code dma_fence_signal} return) and changes nothing.</li>
 * <li>An error ({@code dma_fence_set_error}) may only be set before the fence signals; a fence
 * that signals with an error has still signalled (waiters wake), and {@code status()} is negative.</li>
 * <li>Each callback added before the signal runs exactly once, on the signalling thread, in the
 * order added. Adding a callback to a signalled fence does not run it and says so (returns false:
 * the kernel's -ENOENT). A removed callback never runs.</li>
 * <li>Callbacks run inside {@code signal()}: they must be short and must not block or wait on
 * fences (the kernel's fence-signalling critical section). An exception from one callback is
 * logged and does not stop the others; an {@link java.lang.Error} is rethrown by the signalling
 * call once the others have run.</li>
 * <li>A composite (chain link, array) completed from inside a callback runs its callbacks once
 * that callback has returned, on the same thread, before the producer's {@code signal()} returns:
 * timelines released at once complete link after link at constant stack depth, like the kernel's
 * {@code irq_work} for chains. When a {@code signal()} returns, every callback it set off has run;
 * {@link kiln.drm.api.fence.DmaFence#callbacksDone()} tells it for a composite.</li>
 * <li>Waits take a timeout and are interruptible. A waiting thread parks; no thread is created or
 * held per waiter, so virtual threads can wait in great numbers (the kernel's "must not burn a
 * CPU per waiter").</li>
 * <li>Every fence must signal eventually: drivers back theirs with timeouts (the cross-driver
 * contract).</li>
 * </ul>
 *
 * <h2>Composites</h2>
 * A fence array ({@code dma_fence_array}) signals when all (or any) of its fences have, taking the
 * first error; its members are readable. A fence chain ({@code dma_fence_chain}) is one point of a
 * timeline: it signals when its fence and every earlier point have, which is how timeline
 * syncobjs are built. {@code unwrap} and {@code unwrapMerge} see through both, as
 * {@code dma_fence_unwrap_for_each} and {@code dma_fence_unwrap_merge} do. Producers that number
 * their own fences allocate contexts and create fences at chosen seqnos
 * ({@code dma_fence_context_alloc}, {@code dma_fence_init}).
 *
 * <p>Not modelled: deadline hints, the {@code enable_signaling} / {@code signaled} driver ops (a
 * Kiln fence is always "signalling enabled"), and signal timestamps.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package kiln.drm.api.fence;
