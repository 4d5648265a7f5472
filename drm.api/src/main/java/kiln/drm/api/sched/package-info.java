/**
 * drm_sched: the GPU scheduler.
 *
 * <h2>Overview</h2>
 * One {@link kiln.drm.api.sched.Scheduler} per hardware ring (Asahi: one per user queue). It has
 * run queues by {@link kiln.drm.api.sched.Priority}; each holds {@link kiln.drm.api.sched.Entity
 * entities} (software queues, one per client context); each entity holds jobs.
 *
 * <h2>Job lifecycle</h2>
 * {@code entity.newJob(data, credits)} gives a {@link kiln.drm.api.sched.PendingJob}; add
 * dependency fences, then {@code arm()} (fences exist from here on) and {@code push()} (the
 * scheduler owns the job). The scheduler waits for the dependencies, then calls the backend's
 * {@code prepare} until it returns no further fence, then {@code run} when the job's credits fit
 * under the credit limit ({@code DOC: Flow Control}); {@code run} returns the hardware fence. The
 * job's <em>scheduled</em> fence signals when it is handed to the hardware, its <em>finished</em>
 * fence when the hardware fence has signalled (with its error), and then {@code free} is called.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>Jobs of one entity run in push order, and their finished fences signal in that order.</li>
 * <li>Higher priorities run first; entities of equal priority take turns (round robin).</li>
 * <li>A job whose dependency failed still reaches {@code run} with its finished fence already
 * carrying the dependency's error, as in the kernel, so the driver can skip the work.</li>
 * <li>A job running longer than the timeout gets {@code timedOut}; the backend must make its
 * hardware fence signal (usually with ETIMEDOUT), or answer {@code NO_HANG}, which re-arms the
 * timeout for another period ({@code DRM_GPU_SCHED_STAT_NO_HANG}).</li>
 * <li>Every pushed job is freed exactly once: after completion, when its entity is destroyed
 * before it ran (fences signal ESRCH), or at {@code fini} (the backend's {@code cancel} is called
 * for each job it still owns, the kernel's {@code cancel_job}, so its hardware fence signals
 * ECANCELED; the finished fences signal ECANCELED; a hardware fence signalling later touches
 * nothing). This is the teardown bug the seed's patch 11 fixed.</li>
 * </ul>
 *
 * <h2>Several rings</h2>
 * An entity lives on one scheduler at a time. {@link kiln.drm.api.sched.Entity#modifySchedulers}
 * lets it move to the least-loaded of several when it is idle, never while a job of it is
 * queued or running, so the ordering guarantees above hold across moves.
 *
 * <h2>Threads</h2>
 * Each scheduler runs its decisions on one virtual thread; backend callbacks
 * ({@code prepare}, {@code run}, {@code timedOut}, {@code cancel}, {@code free}) are called there, never
 * concurrently for one scheduler. Pushing is thread-safe and does not block.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package kiln.drm.api.sched;
