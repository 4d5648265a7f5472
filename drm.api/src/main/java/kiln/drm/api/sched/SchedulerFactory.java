package kiln.drm.api.sched;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/** The drm_sched service ({@code drm_sched_init}). */
@ProviderType
public interface SchedulerFactory {
    /**
     * @param creditLimit credits the hardware ring holds (the RFC's {@code hw_submission})
     * @param timeout     how long a job may run before {@code timedOut}
     * @throws DrmException EINVAL for a limit &lt; 1 or a non-positive timeout
     */
    <T> Scheduler<T> create(String name, int creditLimit, Duration timeout, JobBackend<T> backend)
            throws DrmException;
}
