package kiln.drm.api.sched;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/** A software queue feeding a scheduler ({@code drm_sched_entity}). Thread-safe. */
@ProviderType
public interface Entity<T> {
    Priority priority();

    /**
     * {@code drm_sched_job_init}.
     *
     * @throws DrmException EINVAL for credits &lt; 1; ENODEV once the entity is destroyed
     */
    PendingJob<T> newJob(T data, int credits) throws DrmException;

    /** Jobs pushed and not yet handed to the hardware. */
    int queued();

    /**
     * {@code drm_sched_entity_destroy}: jobs not yet run are dropped (fences signal ESRCH, each freed
     * once); jobs on the hardware complete normally. Idempotent.
     */
    void destroy();
}
