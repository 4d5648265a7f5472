package kiln.agx.silicon.impl;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import kiln.agx.api.isa.Isa;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.ComputeUnit;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.UatAgent;
import kiln.agx.silicon.impl.usc.DispatchShape;
import kiln.agx.silicon.impl.usc.IllegalProgramException;
import kiln.agx.silicon.impl.usc.Program;
import kiln.agx.silicon.impl.usc.UscCore;

/**
 * The compute data master: fetches and validates the program and uniforms (as the CDM kernel
 * stream unit, {@code dCDM_KS0}, reporting faults), then gives each enabled core a contiguous
 * run of workgroups (neighbouring workgroups touch neighbouring memory) and runs each core's
 * share as one task on the host workers. Loads and stores of
 * core {@code k} of a cluster fault as that cluster's {@code UL1C(k)}.
 */
final class ComputeMaster implements ComputeUnit {
    /** {@code dCDM_KS0}: the unit fetching kernels and their arguments. */
    static final int UNIT_CDM = 0xa2;
    /** Low nibble of a cluster unit code: the USC L1 cache. */
    static final int UNIT_UL1C = 0x1;

    private final AgxSilicon silicon;
    private final List<EnabledCore> cores;

    /** One shader core the core masks enable. */
    record EnabledCore(int cluster, int core) {
        /** The {@code FAULT_INFO} unit code of this core's {@code lowNibble} unit. */
        int unit(int lowNibble) {
            return core << 4 | lowNibble;
        }
    }

    ComputeMaster(AgxSilicon silicon, List<EnabledCore> cores) {
        this.silicon = silicon;
        this.cores = List.copyOf(cores);
    }

    @Override
    public CompletableFuture<DispatchResult> dispatch(ComputeDispatch dispatch) {
        UnitRun run = new UnitRun(silicon);
        // Fetching the program and uniforms is short: do it here and save a hand-off to a worker.
        run.inline(() -> start(run, dispatch));
        return run.future;
    }

    private void start(UnitRun run, ComputeDispatch dispatch) {
        run.markStart();
        if (silicon.isOff()) {
            run.finish();
            return;
        }
        validate(dispatch);
        GpuMemory cdm = silicon.uat().context(dispatch.vmSlot(), UatAgent.GPU, UNIT_CDM);
        Program program = Program.decode(i -> cdm.readLong(dispatch.programAddress() + (long) i * Isa.WORD_BYTES));
        long[] uniforms = new long[Isa.UNIFORMS];
        for (int i = 0; i < dispatch.uniformCount(); i++) {
            uniforms[i] = cdm.readLong(dispatch.uniformsAddress() + 8L * i);
        }
        DispatchShape shape = new DispatchShape(dispatch.gridX(), dispatch.gridY(), dispatch.gridZ(),
                dispatch.groupX(), dispatch.groupY(), dispatch.groupZ());
        Program scaled = program.scaled(UscCore.batchWidth(shape.workgroupThreads()));
        int used = (int) Math.min(cores.size(), dispatch.workgroups());
        run.fanOut(used, k -> runCore(run, dispatch, k, scaled, uniforms, shape));
    }

    private static void validate(ComputeDispatch d) {
        if (d.groupX() < 1 || d.groupY() < 1 || d.groupZ() < 1 || d.gridX() < 1 || d.gridY() < 1 || d.gridZ() < 1
                || (long) d.groupX() * d.groupY() * d.groupZ() > Isa.MAX_WORKGROUP_THREADS) {
            throw new IllegalProgramException("bad grid " + d);
        }
        if (d.uniformCount() < 0 || d.uniformCount() > Isa.UNIFORMS || d.vmSlot() < 0 || d.vmSlot() > 63) {
            throw new IllegalProgramException("bad uniforms or context in " + d);
        }
    }

    private void runCore(UnitRun run, ComputeDispatch dispatch, int coreIndex, Program program, long[] uniforms,
            DispatchShape shape) {
        EnabledCore core = cores.get(coreIndex);
        UatTranslator translator = new UatTranslator(silicon.uat(), dispatch.vmSlot(), core.unit(UNIT_UL1C));
        UscCore usc = new UscCore(program, uniforms, translator, shape, run);
        long total = dispatch.workgroups();
        long perLayer = (long) shape.gridX() * shape.gridY();
        int used = (int) Math.min(cores.size(), total);
        long from = total * coreIndex / used;
        long to = total * (coreIndex + 1) / used;
        for (long wg = from; wg < to; wg++) {
            usc.runWorkgroup((int) (wg % shape.gridX()), (int) (wg / shape.gridX() % shape.gridY()),
                    (int) (wg / perLayer));
        }
    }
}
