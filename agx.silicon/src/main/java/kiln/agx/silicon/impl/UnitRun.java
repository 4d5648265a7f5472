package kiln.agx.silicon.impl;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.DispatchResult.Status;
import kiln.agx.api.silicon.GpuFault;
import kiln.agx.silicon.impl.usc.IllegalProgramException;
import kiln.agx.silicon.impl.usc.StopRequested;
import kiln.agx.silicon.impl.usc.UscCore;

/**
 * One unit job spread over core tasks on the host workers: the first failure wins and makes
 * the other tasks stop at their next boundary; the last task to finish completes the future.
 * Cancelling the future or powering off stops the tasks the same way.
 */
final class UnitRun implements UscCore.StopFlag {
    /** One core's share of the job. */
    interface CoreTask {
        void run(int core);
    }

    private final AgxSilicon silicon;
    final CompletableFuture<DispatchResult> future = new CompletableFuture<>();
    private final AtomicReference<DispatchResult> failure = new AtomicReference<>();
    private final AtomicInteger running = new AtomicInteger();
    private long start;

    UnitRun(AgxSilicon silicon) {
        this.silicon = silicon;
        this.start = silicon.timestamp();
    }

    void markStart() {
        start = silicon.timestamp();
    }

    @Override
    public boolean stopRequested() {
        return failure.get() != null || future.isDone() || silicon.isOff();
    }

    /** Runs {@code body} on a worker, turning its failures into the result. */
    void submit(Runnable body) {
        try {
            silicon.workers().execute(() -> {
                try {
                    body.run();
                } catch (RuntimeException | Error e) {
                    fail(e);
                    finish();
                }
            });
        } catch (RejectedExecutionException poweredOff) {
            future.complete(result(Status.CANCELLED, null, "powered off"));
        }
    }

    /** Runs {@code body} on the calling thread (a unit's short set-up), turning its failures into the result. */
    void inline(Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            fail(e);
            finish();
        }
    }

    /** Runs {@code tasks} core tasks; completes the future when all are done. */
    void fanOut(int tasks, CoreTask task) {
        if (tasks == 0) {
            finish();
            return;
        }
        running.set(tasks);
        for (int k = 0; k < tasks; k++) {
            int core = k;
            try {
                silicon.workers().execute(() -> {
                    try {
                        task.run(core);
                    } catch (RuntimeException | Error e) {
                        fail(e);
                    } finally {
                        if (running.decrementAndGet() == 0) {
                            finish();
                        }
                    }
                });
            } catch (RejectedExecutionException poweredOff) {
                failure.compareAndSet(null, result(Status.CANCELLED, null, "powered off"));
                if (running.decrementAndGet() == 0) {
                    finish();
                }
            }
        }
    }

    /** Records why the job failed; the first reason wins. Simulator bugs are rethrown after. */
    void fail(Throwable e) {
        DispatchResult reason = switch (e) {
            case StopRequested stopped -> null;
            case GpuFault fault -> result(Status.FAULT, fault.info(), fault.getMessage());
            case IllegalProgramException illegal -> result(Status.ILLEGAL_PROGRAM, null, illegal.getMessage());
            default -> result(Status.ILLEGAL_PROGRAM, null, "simulator error: " + e);
        };
        if (reason != null) {
            failure.compareAndSet(null, reason);
        }
        if (!(e instanceof StopRequested || e instanceof GpuFault || e instanceof IllegalProgramException)) {
            System.getLogger(UnitRun.class.getName()).log(System.Logger.Level.ERROR, "simulator error", e);
        }
    }

    /** Completes the future from what happened. */
    void finish() {
        DispatchResult failed = failure.get();
        if (failed == null && silicon.isOff()) {
            failed = result(Status.CANCELLED, null, "powered off");
        }
        future.complete(failed != null ? failed : result(Status.COMPLETED, null, null));
    }

    DispatchResult result(Status status, FaultInfo fault, String detail) {
        return new DispatchResult(status, start, silicon.timestamp(), fault, detail);
    }

    /** Completes with a failure now (before any task ran). */
    void failNow(Throwable e) {
        fail(e);
        finish();
    }
}
