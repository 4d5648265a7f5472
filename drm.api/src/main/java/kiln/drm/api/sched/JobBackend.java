package kiln.drm.api.sched;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.drm.api.DrmException;
import kiln.drm.api.fence.DmaFence;

/**
 * The driver side of a scheduler ({@code drm_sched_backend_ops}). Called on the scheduler's
 * thread, one call at a time.
 *
 * @param <T> the driver's job data
 */
@ConsumerType
public interface JobBackend<T> {
    /**
     * Another fence the job must wait for (for example ring space), or {@code null} when it can run.
     * Called repeatedly until it returns {@code null}.
     */
    default DmaFence prepare(Job<T> job) {
        return null;
    }

    /**
     * Hands the job to the hardware.
     *
     * @return the hardware fence, or {@code null} if the work completed synchronously
     * @throws DrmException the job fails with this errno (its finished fence carries it)
     */
    DmaFence run(Job<T> job) throws DrmException;

    /**
     * The job exceeded the timeout; the backend must make its hardware fence signal, or answer
     * {@link TimeoutStatus#NO_HANG} to have the timeout re-armed.
     */
    TimeoutStatus timedOut(Job<T> job);

    /**
     * {@code cancel_job}: the scheduler is torn down while the backend still owns {@code job}
     * (handed to {@link #run}, hardware fence not signalled); the backend signals that fence with
     * ECANCELED if it has not signalled yet. Called once per such job, before its {@link #free}.
     */
    default void cancel(Job<T> job) {
    }

    /** The job is done with; called exactly once per pushed job. */
    default void free(Job<T> job) {
    }
}
