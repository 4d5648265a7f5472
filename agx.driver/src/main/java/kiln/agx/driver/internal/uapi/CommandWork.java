package kiln.agx.driver.internal.uapi;

import kiln.agx.driver.internal.gpu.Replay;

/**
 * What every command of a SUBMIT keeps to build its firmware work, the first time and again for
 * a swap's replay: its job and decoded command, the job's completion count, the explicit barrier
 * it asked for (and the event value it waits for), and its place in its queue's order.
 */
abstract class CommandWork<C extends SubmitJob.Command> implements Replay {
    final SubmitBackend backend;
    final SubmitJob job;
    final C command;
    final JobCompletion completion;
    final boolean barrier;
    final int barrierValue;
    final long counter;

    CommandWork(SubmitBackend backend, SubmitJob job, C command, JobCompletion completion, boolean barrier, int barrierValue,
            long counter) {
        this.backend = backend;
        this.job = job;
        this.command = command;
        this.completion = completion;
        this.barrier = barrier;
        this.barrierValue = barrierValue;
        this.counter = counter;
    }

    @Override
    public long order() {
        return counter;
    }

    @Override
    public long submittedNanos() {
        return job.submittedNanos();
    }
}
