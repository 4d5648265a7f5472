package kiln.agx.driver.internal.uapi;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.driver.internal.gpu.WorkError;
import kiln.drm.api.DrmException;

/**
 * Counts a job's commands down as they complete, each once, and when the last one has, signals
 * the job fence with the first error and lets the result buffer go. Thread-safe.
 */
final class JobCompletion {
    private static final Logger LOG = LoggerFactory.getLogger(JobCompletion.class);
    private final SubmitJob job;
    private final AtomicInteger left;
    private final AtomicReference<WorkError> firstError = new AtomicReference<>();

    JobCompletion(SubmitJob job) {
        this.job = job;
        this.left = new AtomicInteger(job.commands().size());
    }

    /** One command completed, with {@code error} or null. */
    void commandDone(WorkError error) {
        if (error != null) {
            firstError.compareAndSet(null, error);
        }
        if (left.decrementAndGet() == 0) {
            WorkError e = firstError.get();
            try {
                job.fence().signal(e == null ? null : e.kind().errno());
            } catch (DrmException | IllegalStateException ex) {
                if (!job.queue().destroyed()) { // else a teardown cancelled it first (cancel_job)
                    LOG.error("job fence of submission {} signalled twice", job.id(), ex);
                }
            }
            job.releaseResults();
        }
    }
}
