package kiln.agx.driver.internal.uapi;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.agx.driver.internal.gpu.RenderCommands;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.gem.ShmemMapping;
import kiln.drm.api.gem.ShmemObject;

/**
 * One SUBMIT as the scheduler carries it: the queue, its commands as decoded from client memory,
 * the result buffer, and the job fence the commands' completions signal.
 *
 * <p>The result buffer is held and mapped by two holders: the job (until the scheduler frees it)
 * and, once it ran, the hardware (until its last command completed). A queue destroyed with the
 * job on the firmware frees the job first; the results still land, as in the real driver, whose
 * result writer holds its own reference.
 *
 * @param queue    the user queue
 * @param commands the commands, in order
 * @param result   the result object, or null
 * @param results  its kernel mapping, or null
 * @param fence    signalled when every command completed (with the first error)
 * @param id       the device-wide submission id
 * @param holds    holders of the result buffer (starts at 1, the job)
 * @param submittedNanos when the ioctl queued it ({@link System#nanoTime}): a device without
 *                 firmware fails a job that waited longer than its deadline
 */
record SubmitJob(AsahiQueue queue, List<Command> commands, ShmemObject result, ShmemMapping results,
        SignalableFence fence, long id, AtomicInteger holds, long submittedNanos) {

    /** Signals the job fence ECANCELED unless it has signalled (teardown; completion may still come). */
    void cancel() {
        try {
            fence.signal(kiln.drm.api.Errno.ECANCELED);
        } catch (kiln.drm.api.DrmException | IllegalStateException alreadySignalled) {
            // the last command completed first: its result stands
        }
    }

    /** The hardware holds the result buffer too, until {@link #releaseResults} after its last command. */
    void holdResults() {
        holds.incrementAndGet();
    }

    /** One holder is done; the last one unmaps and releases the result buffer. */
    void releaseResults() {
        if (holds.decrementAndGet() == 0) {
            if (results != null) {
                results.close();
            }
            if (result != null) {
                result.put();
            }
        }
    }

    /** A decoded command: its barriers ({@code [RENDER, COMPUTE]}) and where its result goes. */
    sealed interface Command permits Compute, Render {
        int[] barriers();

        long resultOffset();

        long resultSize();
    }

    /** A compute command: {@code encoder_ptr}, {@code encoder_end}, {@code cmd_id}. */
    record Compute(long encoder, long encoderEnd, int cmdId, int[] barriers, long resultOffset, long resultSize)
            implements Command {
    }

    /** A render command and its targets. */
    record Render(RenderCommands.Target target, int[] barriers, long resultOffset, long resultSize) implements Command {
    }
}
