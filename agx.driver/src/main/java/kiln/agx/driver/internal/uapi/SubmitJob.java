package kiln.agx.driver.internal.uapi;

import java.util.List;

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
record SubmitJob(AsahiQueue queue, List<ComputeCommand> commands, ShmemObject result, ShmemMapping results,
        SignalableFence fence, long id) {

    /**
     * A compute command.
     *
     * @param encoder      {@code encoder_ptr}
     * @param encoderEnd   {@code encoder_end}
     * @param cmdId        {@code cmd_id}
     * @param barriers     {@code barriers[RENDER, COMPUTE]}
     * @param resultOffset where its result goes in the result buffer
     * @param resultSize   how many bytes of result it takes (0: none)
     */
    record ComputeCommand(long encoder, long encoderEnd, int cmdId, int[] barriers, long resultOffset, long resultSize) {
    }
}
