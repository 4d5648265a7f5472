package kiln.drm.api.sched;

import org.osgi.annotation.versioning.ProviderType;

/** A GPU scheduler for one ring; see the {@linkplain kiln.drm.api.sched package documentation}. */
@ProviderType
public interface Scheduler<T> {
    String name();

    int creditLimit();

    /** Credits taken by jobs on the hardware now. */
    int creditsInUse();

    /** Jobs handed to the hardware and not finished. */
    int pending();

    /** Jobs completed since creation. */
    long completed();

    Entity<T> createEntity(Priority priority);

    /**
     * {@code drm_sched_fini}: stops the scheduler, destroys its entities and frees every job still
     * queued or on the hardware exactly once. Idempotent; returns after the last free.
     */
    void fini();
}
