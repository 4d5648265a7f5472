package kiln.agx.silicon.impl;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.hw.UatPermissions;
import kiln.agx.api.isa.Isa;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.ComputeUnit;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.DispatchResult.Status;
import kiln.agx.api.silicon.GpuFault;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.UatAgent;
import kiln.agx.silicon.impl.usc.DispatchShape;
import kiln.agx.silicon.impl.usc.IllegalProgramException;
import kiln.agx.silicon.impl.usc.Program;
import kiln.agx.silicon.impl.usc.StopRequested;
import kiln.agx.silicon.impl.usc.Translator;
import kiln.agx.silicon.impl.usc.UscCore;

/**
 * The compute data master: fetches and validates the program and uniforms (as the CDM kernel
 * stream unit, {@code dCDM_KS0}, reporting faults), then deals workgroups round-robin to the
 * enabled cores and runs each core's share as one task on the host workers. Loads and stores of
 * core {@code k} of a cluster fault as that cluster's {@code UL1C(k)}.
 */
final class ComputeMaster implements ComputeUnit {
    /** {@code dCDM_KS0}: the unit fetching kernels and their arguments. */
    static final int UNIT_CDM = 0xa2;
    /** Low nibble of a cluster unit code: the USC L1 cache. */
    static final int UNIT_UL1C = 0x1;

    private final AgxSilicon silicon;
    private final List<EnabledCore> cores;

    record EnabledCore(int cluster, int core) {
    }

    ComputeMaster(AgxSilicon silicon, List<EnabledCore> cores) {
        this.silicon = silicon;
        this.cores = List.copyOf(cores);
    }

    @Override
    public CompletableFuture<DispatchResult> dispatch(ComputeDispatch dispatch) {
        Run run = new Run(dispatch);
        try {
            silicon.workers().execute(run::start);
        } catch (RejectedExecutionException poweredOff) {
            run.finish(new DispatchResult(Status.CANCELLED, silicon.timestamp(), silicon.timestamp(), null,
                    "powered off"));
        }
        return run.future;
    }

    /** One dispatch in flight. */
    private final class Run implements UscCore.StopFlag {
        final ComputeDispatch dispatch;
        final CompletableFuture<DispatchResult> future = new CompletableFuture<>();
        final AtomicReference<DispatchResult> failure = new AtomicReference<>();
        final AtomicInteger running = new AtomicInteger();
        long start;

        Run(ComputeDispatch dispatch) {
            this.dispatch = dispatch;
        }

        @Override
        public boolean stopRequested() {
            return failure.get() != null || future.isDone() || silicon.isOff();
        }

        void start() {
            start = silicon.timestamp();
            Program program;
            long[] uniforms = new long[Isa.UNIFORMS];
            try {
                validate();
                GpuMemory cdm = silicon.uat().context(dispatch.vmSlot(), UatAgent.GPU, UNIT_CDM);
                program = Program.decode(i -> cdm.readLong(dispatch.programAddress() + (long) i * Isa.WORD_BYTES));
                for (int i = 0; i < dispatch.uniformCount(); i++) {
                    uniforms[i] = cdm.readLong(dispatch.uniformsAddress() + 8L * i);
                }
            } catch (GpuFault fault) {
                finish(result(Status.FAULT, fault.info(), fault.getMessage()));
                return;
            } catch (IllegalProgramException e) {
                finish(result(Status.ILLEGAL_PROGRAM, null, e.getMessage()));
                return;
            }
            DispatchShape shape = new DispatchShape(dispatch.gridX(), dispatch.gridY(), dispatch.gridZ(),
                    dispatch.groupX(), dispatch.groupY(), dispatch.groupZ());
            Program scaled = program.scaled(UscCore.batchWidth(shape.workgroupThreads()));
            int used = (int) Math.min(cores.size(), dispatch.workgroups());
            running.set(used);
            ExecutorService workers = silicon.workers();
            for (int k = 0; k < used; k++) {
                int coreIndex = k;
                Runnable task = () -> runCore(coreIndex, scaled, uniforms, shape);
                try {
                    workers.execute(task);
                } catch (RejectedExecutionException poweredOff) {
                    fail(result(Status.CANCELLED, null, "powered off"));
                    coreDone();
                }
            }
        }

        private void validate() {
            ComputeDispatch d = dispatch;
            int threads = d.workgroupThreads();
            if (d.groupX() < 1 || d.groupY() < 1 || d.groupZ() < 1 || d.gridX() < 1 || d.gridY() < 1 || d.gridZ() < 1
                    || (long) d.groupX() * d.groupY() * d.groupZ() > Isa.MAX_WORKGROUP_THREADS || threads < 1) {
                throw new IllegalProgramException("bad grid " + d);
            }
            if (d.uniformCount() < 0 || d.uniformCount() > Isa.UNIFORMS || d.vmSlot() < 0 || d.vmSlot() > 63) {
                throw new IllegalProgramException("bad uniforms or context in " + d);
            }
        }

        private void runCore(int coreIndex, Program program, long[] uniforms, DispatchShape shape) {
            EnabledCore core = cores.get(coreIndex);
            int unit = (core.core() << 4) | UNIT_UL1C;
            UatUnit uat = silicon.uat();
            int slot = dispatch.vmSlot();
            Translator translator = new Translator() {
                @Override
                public long generation() {
                    return uat.generation();
                }

                @Override
                public Translation translate(long va, boolean write) {
                    TlbEntry entry = uat.translate(slot, va, false, write, unit);
                    UatPermissions p = entry.permissions();
                    return new Translation(entry.frame(), p.gpuRead(), p.gpuWrite());
                }

                @Override
                public RuntimeException stale(long va, boolean write) {
                    return uat.staleFault(slot, va, write, unit);
                }
            };
            try {
                UscCore usc = new UscCore(program, uniforms, translator, shape, this);
                long total = dispatch.workgroups();
                long perLayer = (long) shape.gridX() * shape.gridY();
                for (long wg = coreIndex; wg < total; wg += cores.size()) {
                    usc.runWorkgroup((int) (wg % shape.gridX()), (int) (wg / shape.gridX() % shape.gridY()),
                            (int) (wg / perLayer));
                }
            } catch (StopRequested stopped) {
                // Another core failed, the caller cancelled, or power went: nothing to record.
            } catch (GpuFault fault) {
                fail(result(Status.FAULT, fault.info(), fault.getMessage()));
            } catch (IllegalProgramException e) {
                fail(result(Status.ILLEGAL_PROGRAM, null, e.getMessage()));
            } catch (RuntimeException | Error e) {
                fail(result(Status.ILLEGAL_PROGRAM, null, "simulator error: " + e));
                throw e;
            } finally {
                coreDone();
            }
        }

        private void fail(DispatchResult result) {
            failure.compareAndSet(null, result);
        }

        private void coreDone() {
            if (running.decrementAndGet() == 0) {
                DispatchResult failed = failure.get();
                if (failed == null && silicon.isOff()) {
                    failed = result(Status.CANCELLED, null, "powered off");
                }
                finish(failed != null ? failed : result(Status.COMPLETED, null, null));
            }
        }

        DispatchResult result(Status status, FaultInfo fault, String detail) {
            return new DispatchResult(status, start, silicon.timestamp(), fault, detail);
        }

        void finish(DispatchResult result) {
            future.complete(result);
        }
    }
}
