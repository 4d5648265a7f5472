package kiln.drm.api.sched;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.fence.DmaFence;

/**
 * A job being built: dependencies can be added until {@link #arm()}; after {@link #push()} the
 * scheduler owns it. Used by one thread. As in the kernel, arming and pushing the jobs of one
 * entity must be serialized by the caller, so that finished-fence seqnos follow push order; a push
 * out of arming order is refused with {@link IllegalStateException}.
 */
@ProviderType
public interface PendingJob<T> {
    /** {@code drm_sched_job_add_dependency}; signalled fences are dropped at once. */
    void addDependency(DmaFence fence);

    /** {@code drm_sched_job_arm}: the job's fences exist from now on. Idempotent. */
    Job<T> arm();

    /**
     * {@code drm_sched_entity_push_job}: queues the armed job.
     *
     * @throws DrmException ENODEV if the entity was destroyed or the scheduler finished: the job is
     *                      not queued (so never freed by the scheduler) and its fences signal ENODEV
     */
    Job<T> push() throws DrmException;
}
