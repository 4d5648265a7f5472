package kiln.drm.api.sched;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.fence.DmaFence;

/** An armed job, as the backend and the submitter see it. */
@ProviderType
public interface Job<T> {
    T data();

    /** Credits the job takes from the scheduler's limit while on the hardware. */
    int credits();

    /** Signals when the job is handed to the hardware. */
    DmaFence scheduled();

    /** Signals when the job's hardware fence has, with its error. */
    DmaFence finished();

    Entity<T> entity();
}
