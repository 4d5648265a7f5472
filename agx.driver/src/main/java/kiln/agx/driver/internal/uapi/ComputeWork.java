package kiln.agx.driver.internal.uapi;

import java.util.function.Consumer;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.driver.internal.gpu.ComputeCommands;
import kiln.agx.driver.internal.gpu.KernelVm;
import kiln.agx.driver.internal.gpu.WorkError;
import kiln.drm.api.DrmException;

/**
 * One compute command of a SUBMIT as firmware work on its queue's compute work queue: the
 * explicit barrier on the render subqueue it asked for, if any, then the {@code RunCompute}. Its
 * completion writes the command's result and counts the job down. A swap may build it again.
 */
final class ComputeWork extends CommandWork<SubmitJob.Compute> implements Consumer<WorkError> {
    private final int value;
    private volatile KernelVm.Alloc timestamps;

    /**
     * @param barrier      whether it waits for the render subqueue
     * @param barrierValue the fragment event value it waits for
     * @param value        the compute event value it completes with
     * @param counter      its queue's command counter
     */
    ComputeWork(SubmitBackend backend, SubmitJob job, SubmitJob.Compute command, JobCompletion completion, boolean barrier,
            int barrierValue, int value, long counter) {
        super(backend, job, command, completion, barrier, barrierValue, counter);
        this.value = value;
    }

    @Override
    public int completions() {
        return 1;
    }

    @Override
    public void rebuild(Sink into) throws DrmException {
        AsahiQueue q = job.queue();
        ComputeCommands compute = backend.builders().compute();
        if (barrier) {
            into.add(q.compute, compute.barrier(q.fragment, barrierValue, FirmwareProtocol.BARRIER_UUID, this));
        }
        ComputeCommands.Built built = compute.compute(q.compute, q.vmSlot, command.encoder(), command.encoderEnd(), value,
                command.cmdId(), counter, this, this);
        timestamps = built.timestamps();
        into.add(q.compute, built.command());
    }

    @Override
    public void accept(WorkError error) {
        try {
            Results.compute(job, command, error, timestamps);
        } finally {
            completion.commandDone(error); // the job fence signals whatever became of the result
        }
    }
}
