package kiln.agx.driver.internal.uapi;

import java.util.List;

import kiln.agx.driver.internal.gpu.RenderCommands;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.gem.ShmemMapping;
import kiln.drm.api.gem.ShmemObject;

/**
 * One SUBMIT as the scheduler carries it: the queue, its commands as decoded from client memory,
 * the result buffer (held and mapped until the job is freed), and the job fence the commands'
 * completions signal.
 *
 * @param queue    the user queue
 * @param commands the commands, in order
 * @param result   the result object, or null
 * @param results  its kernel mapping, or null
 * @param fence    signalled when every command completed (with the first error)
 * @param id       the device-wide submission id
 */
record SubmitJob(AsahiQueue queue, List<Command> commands, ShmemObject result, ShmemMapping results,
        SignalableFence fence, long id) {

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
