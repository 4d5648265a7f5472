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

    /** The scheduler whose run queue holds the entity now; it changes only by {@link #modifySchedulers}. */
    Scheduler<T> scheduler();

    /**
     * {@code drm_sched_entity_modify_sched}: from now on the entity may run on any of
     * {@code schedulers} (typically rings of one kind). The move happens at a later
     * {@link PendingJob#arm arm} ({@code drm_sched_entity_select_rq}), and only when nothing of the
     * entity is in flight: every job armed so far has finished (the kernel: the queue is empty and
     * the last scheduled job's fence has signalled), so the entity's jobs still run and finish in
     * push order. The entity then goes to the least-loaded of the schedulers
     * ({@code drm_sched_pick_best}: the fewest entities plus jobs on the hardware, the first of
     * equals; a scheduler being finished is skipped; with none left the entity stays). A job runs
     * on the scheduler it was armed on. A destroyed entity no longer moves. A backend shared by
     * several schedulers is called from each of their threads.
     *
     * @throws DrmException EINVAL for an empty list, a null element or a scheduler that the
     *         entity's own factory did not create; nothing changes then
     */
    void modifySchedulers(java.util.List<? extends Scheduler<T>> schedulers) throws DrmException;

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
