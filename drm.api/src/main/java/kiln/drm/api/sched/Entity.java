package kiln.drm.api.sched;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/** A software queue feeding a scheduler ({@code drm_sched_entity}). Thread-safe. */
@ProviderType
public interface Entity<T> {
    Priority priority();

    /**
     * {@code drm_sched_entity_set_priority}: the entity's jobs compete at {@code priority} from the
     * scheduler's next choice on; jobs already on the hardware are not affected.
     */
    void setPriority(Priority priority);

    /**
     * {@code drm_sched_job_init}.
     *
     * @throws DrmException EINVAL for credits &lt; 1; ENODEV once the entity is destroyed
     */
    PendingJob<T> newJob(T data, int credits) throws DrmException;

    /** Jobs pushed and not yet handed to the hardware. */
    int queued();

    /**
     * {@code drm_sched_entity_flush}: waits until every job pushed so far has been handed to the
     * hardware, or {@code timeout} ran out. Not to be called on the scheduler's own thread.
     *
     * @return the time left in nanoseconds, 0 if the timeout ran out first
     */
    long flush(java.time.Duration timeout);

    /**
     * {@code drm_sched_entity_destroy}, for a live process: no more jobs are accepted; the queued
     * ones get {@link #FLUSH_TIMEOUT} to be handed to the hardware ({@link #flush}); whatever is
     * still queued then is dropped (fences signal ESRCH, each freed once); jobs on the hardware
     * complete normally. Idempotent.
     */
    void destroy();

    /**
     * {@code drm_sched_entity_kill}, for a dying process: no more jobs are accepted and the queued
     * ones are dropped at once (fences signal ESRCH, each freed once); jobs on the hardware
     * complete normally. Idempotent.
     */
    void kill();

    /** The kernel's {@code MAX_WAIT_SCHED_ENTITY_Q_EMPTY}: how long {@link #destroy} flushes. */
    java.time.Duration FLUSH_TIMEOUT = java.time.Duration.ofSeconds(1);
}
