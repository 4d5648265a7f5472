package kiln.agx.driver.internal.uapi;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.driver.internal.gpu.RenderCommands;
import kiln.agx.driver.internal.gpu.WorkError;
import kiln.agx.driver.internal.gpu.WorkQueue;
import kiln.drm.api.DrmException;

/**
 * One render command of a SUBMIT as firmware work: on the vertex work queue the explicit barrier
 * on the compute subqueue it asked for, the TVB's {@code InitBuffer} if the heap grows, the
 * {@code RunVertex}; on the fragment work queue the barrier on the vertex pass and the
 * {@code RunFragment}. The fragment pass's completion writes the result (with the vertex pass's
 * error if it had one) and counts the job down. A swap may build it again: the TVB grows only
 * at the first build, a rebuild re-sends its size.
 */
final class RenderWork extends CommandWork<SubmitJob.Render> {
    private final int vertexValue;
    private final int fragmentValue;
    private boolean built;
    private volatile boolean grew;
    private volatile RenderCommands.Built commands;
    private volatile WorkError vertexError;

    /**
     * @param barrier       whether it waits for the compute subqueue
     * @param barrierValue  the compute event value it waits for
     * @param vertexValue   the vertex event value the vertex pass completes with
     * @param fragmentValue the fragment event value the render completes with
     * @param counter       its queue's command counter for the vertex pass (the fragment's is one more)
     */
    RenderWork(SubmitBackend backend, SubmitJob job, SubmitJob.Render command, JobCompletion completion, boolean barrier,
            int barrierValue, int vertexValue, int fragmentValue, long counter) {
        super(backend, job, command, completion, barrier, barrierValue, counter);
        this.vertexValue = vertexValue;
        this.fragmentValue = fragmentValue;
    }

    @Override
    public int completions() {
        return 2;
    }

    @Override
    public void rebuild(Sink into) throws DrmException {
        AsahiQueue q = job.queue();
        SubmitBackend.Builders b = backend.builders();
        if (barrier) {
            into.add(q.vertex, b.compute().barrier(q.compute, barrierValue, FirmwareProtocol.BARRIER_UUID, this));
        }
        WorkQueue.Command grow;
        if (!built) {
            grow = q.tvb.growIfAsked(q.vmSlot, this);
            grew = grow != null;
            built = true;
        } else {
            grow = grew ? q.tvb.initBuffer(q.vmSlot, this) : null;
        }
        if (grow != null) {
            into.add(q.vertex, grow);
        }
        RenderCommands.Built c = b.render().render(q.vertex, q.fragment, q.tvb, q.vmSlot, command.target(), vertexValue,
                fragmentValue, counter, e -> vertexError = e, this::fragmentDone, this);
        commands = c;
        into.add(q.vertex, c.vertex());
        into.add(q.fragment, c.barrier());
        into.add(q.fragment, c.fragment());
    }

    private void fragmentDone(WorkError error) {
        WorkError e = error != null ? error : vertexError;
        try {
            Results.render(job, command, e, commands, job.queue().tvb, grew);
        } finally {
            completion.commandDone(e); // the job fence signals whatever became of the result
        }
    }
}
