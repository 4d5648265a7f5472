package kiln.agx.firmware.internal;

import static kiln.agx.api.silicon.ControlStreams.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

import kiln.agx.api.silicon.AscContext;
import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.GpuFault;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.TilerJob;
import kiln.agx.api.silicon.TilerResult;
import kiln.agx.api.silicon.UatAgent;

/**
 * Turns Start ops into unit work: reads the job parameters (firmware structures, through the
 * kernel context: a bad pointer there crashes the firmware) and the control streams (user
 * memory, read as the GPU unit that reads them: a bad address there is a GPU fault of the job).
 *
 * <h2>Colour and depth control words (Kiln's)</h2>
 * {@code color_ctrl}: bit 0 tiled layout, bit 1 load (else clear to {@code color_clear}), bit 2
 * store. {@code zls_ctrl}: bit 0 a depth attachment exists, bit 1 tiled, bit 2 load (else clear
 * to {@code depth_clear_value}, float bits), bit 3 store.
 */
final class Launchers {
    private volatile boolean hangNext;
    static final int CTRL_TILED = 1, CTRL_LOAD = 2, CTRL_STORE = 4;
    static final int ZLS_ENABLE = 1, ZLS_TILED = 2, ZLS_LOAD = 4, ZLS_STORE = 8;
    /** Unit codes that read control streams (FAULT_INFO numbering). */
    private static final int UNIT_CDM = 0xa2, UNIT_VDM = 0x08;
    /** More records than this in one encoder is a malformed stream. */
    private static final long MAX_RECORDS = 1 << 16;

    private final Fields f;
    private final AscContext ctx;
    private final GpuMemory kernel;

    Launchers(Fields f, AscContext ctx) {
        this.f = f;
        this.ctx = ctx;
        this.kernel = ctx.memory(0);
    }

    /** Reads the records of an encoder; null (with {@code error} set) if the stream is malformed or faults. */
    private List<byte[]> records(int vmSlot, int unit, long start, long end, int recordBytes, UnitWork work) {
        if (end == 0) {
            return terminated(vmSlot, unit, start, recordBytes, work);
        }
        if (end < start || (end - start) % recordBytes != 0 || (end - start) / recordBytes > MAX_RECORDS) {
            fail(work, UnitOutcome.Kind.ERROR, null, "malformed control stream 0x" + Long.toHexString(start) + "..0x"
                    + Long.toHexString(end));
            return null;
        }
        GpuMemory user = ctx.uat().context(vmSlot, UatAgent.GPU, unit);
        List<byte[]> out = new ArrayList<>();
        try {
            for (long at = start; at < end; at += recordBytes) {
                byte[] record = new byte[recordBytes];
                user.read(at, java.lang.foreign.MemorySegment.ofArray(record));
                out.add(record);
            }
        } catch (GpuFault fault) {
            fail(work, UnitOutcome.Kind.FAULT, fault, fault.getMessage());
            return null;
        }
        return out;
    }

    /** The records from {@code start} up to the first all-zero one (a stream with no end pointer). */
    private List<byte[]> terminated(int vmSlot, int unit, long start, int recordBytes, UnitWork work) {
        GpuMemory user = ctx.uat().context(vmSlot, UatAgent.GPU, unit);
        List<byte[]> out = new ArrayList<>();
        byte[] zero = new byte[recordBytes];
        try {
            for (long at = start;; at += recordBytes) {
                byte[] record = new byte[recordBytes];
                user.read(at, java.lang.foreign.MemorySegment.ofArray(record));
                if (java.util.Arrays.equals(record, zero)) {
                    return out;
                }
                if (out.size() == MAX_RECORDS) {
                    fail(work, UnitOutcome.Kind.ERROR, null, "control stream at 0x" + Long.toHexString(start) + " never ends");
                    return null;
                }
                out.add(record);
            }
        } catch (GpuFault fault) {
            fail(work, UnitOutcome.Kind.FAULT, fault, fault.getMessage());
            return null;
        }
    }

    private void fail(UnitWork work, UnitOutcome.Kind kind, GpuFault fault, String detail) {
        long now = ctx.timestamp();
        end(work, new UnitOutcome(kind, now, now, fault == null ? null : fault.info(), detail));
    }

    /** Completes the work and raises the ASC interrupt so the firmware loop looks at it. */
    private void end(UnitWork work, UnitOutcome outcome) {
        work.outcome.complete(outcome);
        ctx.wake();
    }

    /** Ends the work as DONE when {@code finished}, or as CANCELLED if it was cancelled meanwhile; whether it ended. */
    private boolean ended(UnitWork work, boolean finished, long start) {
        if (finished) {
            end(work, new UnitOutcome(UnitOutcome.Kind.DONE, start, ctx.timestamp(), null, null));
            return true;
        }
        if (work.cancelled()) {
            fail(work, UnitOutcome.Kind.CANCELLED, null, "cancelled");
            return true;
        }
        return false;
    }

    /** Ends the work with a unit's failure, keeping the work's start time. */
    private void failed(UnitWork work, UnitOutcome outcome, long start) {
        end(work, new UnitOutcome(outcome.kind(), start, outcome.end(), outcome.fault(), outcome.detail()));
    }

    /** {@code StartCompute} at {@code op}: every launch of the encoder, in order. */
    UnitWork compute(long op) {
        UnitWork work = new UnitWork();
        long jp1 = f.scJobParams1.read(kernel, op);
        long jp2 = f.scJobParams2.read(kernel, op);
        int vmSlot = (int) f.scVmSlot.read(kernel, op);
        long encoder = f.jpcEncoder.read(kernel, jp1);
        long end = f.jp2EncoderEnd.read(kernel, jp2);
        List<byte[]> launches = records(vmSlot, UNIT_CDM, encoder, end, COMPUTE_LAUNCH_BYTES, work);
        if (launches != null) {
            List<Function<Long, CompletableFuture<UnitOutcome>>> steps = new ArrayList<>();
            for (byte[] r : launches) {
                var s = java.lang.foreign.MemorySegment.ofArray(r);
                ComputeDispatch d = new ComputeDispatch(vmSlot, s.get(LONG, LAUNCH_PROGRAM), s.get(LONG, LAUNCH_UNIFORMS),
                        s.get(INT, LAUNCH_UNIFORM_COUNT), s.get(INT, LAUNCH_GRID), s.get(INT, LAUNCH_GRID + 4),
                        s.get(INT, LAUNCH_GRID + 8), s.get(INT, LAUNCH_GROUP), s.get(INT, LAUNCH_GROUP + 4),
                        s.get(INT, LAUNCH_GROUP + 8));
                steps.add(ignored -> track(work, ctx.compute().dispatch(d)).thenApply(UnitOutcome::of));
            }
            chain(work, steps, 0, ctx.timestamp());
        }
        return work;
    }

    private static final java.lang.foreign.ValueLayout.OfLong LONG = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
    private static final java.lang.foreign.ValueLayout.OfInt INT = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

    private <T> CompletableFuture<T> track(UnitWork work, CompletableFuture<T> job) {
        work.running(job);
        return job;
    }

    /** Runs {@code steps} one after the other; the first that does not end DONE ends the work. */
    /** Kiln's GPU-hang injection: the next unit work starts nothing and never ends (ASC thread only). */
    void hangNext() {
        hangNext = true;
    }

    private void chain(UnitWork work, List<Function<Long, CompletableFuture<UnitOutcome>>> steps, int index, long start) {
        if (index == 0 && hangNext) {
            hangNext = false;
            return; // as a hung unit: no completion ever comes; the watchdog cancels the work
        }
        if (ended(work, index == steps.size(), start)) {
            return;
        }
        CompletableFuture<UnitOutcome> step;
        try {
            step = steps.get(index).apply(start);
        } catch (GpuFault fault) {
            fail(work, UnitOutcome.Kind.FAULT, fault, fault.getMessage());
            return;
        }
        step.whenComplete((outcome, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                fail(work, cause instanceof CancellationException ? UnitOutcome.Kind.CANCELLED : UnitOutcome.Kind.ERROR,
                        null, String.valueOf(cause));
            } else if (!outcome.ok()) {
                failed(work, outcome, start);
            } else {
                chain(work, steps, index + 1, start);
            }
        });
    }

    /** What a render's fragment half needs, read from its job parameters. */
    record FragmentSetup(int vmSlot, int width, int height, long tileMap, Attachment color, Attachment depth,
            long program, long uniforms, int uniformCount) {
        FragmentJob job(long heap, boolean loadEverything) {
            Attachment c = loadEverything ? loaded(color) : color;
            Attachment d = depth == null ? null : loadEverything ? loaded(depth) : depth;
            return new FragmentJob(vmSlot, width, height, tileMap, heap, c, d, program, uniforms, uniformCount);
        }

        /** As a partial render writes it: always stored, so the next pass can load it. */
        FragmentSetup storingEverything() {
            return new FragmentSetup(vmSlot, width, height, tileMap, stored(color), depth == null ? null : stored(depth),
                    program, uniforms, uniformCount);
        }

        private static Attachment loaded(Attachment a) {
            return new Attachment(a.address(), a.strideBytes(), a.layout(), true, a.clearValue(), a.store());
        }

        private static Attachment stored(Attachment a) {
            return new Attachment(a.address(), a.strideBytes(), a.layout(), a.load(), a.clearValue(), true);
        }
    }

    FragmentSetup fragmentSetup(long jp1, int vmSlot) {
        int color = (int) f.jpfColorCtrl.read(kernel, jp1);
        Attachment colour = new Attachment(f.jpfColor.read(kernel, jp1), (int) f.jpfColorStride.read(kernel, jp1),
                (color & CTRL_TILED) != 0 ? Attachment.Layout.TILED : Attachment.Layout.LINEAR, (color & CTRL_LOAD) != 0,
                (int) f.jpfColorClear.read(kernel, jp1), (color & CTRL_STORE) != 0);
        int zls = (int) f.jpfZls.read(kernel, jp1);
        Attachment depth = (zls & ZLS_ENABLE) == 0 ? null
                : new Attachment(f.jpfDepth.read(kernel, jp1), (int) f.jpfDepthStride.read(kernel, jp1),
                        (zls & ZLS_TILED) != 0 ? Attachment.Layout.TILED : Attachment.Layout.LINEAR, (zls & ZLS_LOAD) != 0,
                        (int) f.jpfDepthClear.read(kernel, jp1), (zls & ZLS_STORE) != 0);
        return new FragmentSetup(vmSlot, (int) f.jpfWidth.read(kernel, jp1), (int) f.jpfHeight.read(kernel, jp1),
                f.jpfTilemap.read(kernel, jp1), colour, depth, f.jpfProgram.read(kernel, jp1),
                f.jpfUniforms.read(kernel, jp1), (int) f.jpfUniformCount.read(kernel, jp1));
    }

    /** {@code StartFragment} at {@code op}: one fragment pass; loads everything after partial renders. */
    UnitWork fragment(long op, BufferState buffer) {
        UnitWork work = new UnitWork();
        long jp1 = f.sfJobParams1.read(kernel, op);
        int vmSlot = (int) f.sfVmSlot.read(kernel, op);
        FragmentSetup setup = fragmentSetup(jp1, vmSlot);
        boolean afterPartial = buffer.partialOutputPending;
        chain(work, List.of(ignored -> {
            CompletableFuture<UnitOutcome> done = track(work, ctx.fragment().render(setup.job(buffer.heapBase, afterPartial)))
                    .thenApply(UnitOutcome::of);
            return done;
        }), 0, ctx.timestamp());
        return work;
    }

    /**
     * {@code StartVertex} at {@code op}: bins every draw of the encoder into the buffer's heap;
     * when the heap fills, renders what is binned into the paired fragment job's attachments
     * (a partial render), empties the heap and resumes where binning stopped.
     */
    UnitWork vertex(long op, BufferState buffer) {
        UnitWork work = new UnitWork();
        long jp1 = f.svJobParams1.read(kernel, op);
        long jp2 = f.svJobParams2.read(kernel, op);
        int vmSlot = (int) f.svVmSlot.read(kernel, op);
        long encoder = f.jpvEncoder.read(kernel, jp1);
        long end = f.jp2EncoderEnd.read(kernel, jp2);
        int width = (int) f.jpvWidth.read(kernel, jp1);
        int height = (int) f.jpvHeight.read(kernel, jp1);
        long tileMap = f.jpvTilemap.read(kernel, jp1);
        long fragmentParams = f.jpvFragmentParams.read(kernel, jp1);
        FragmentSetup partial = fragmentParams == 0 ? null : fragmentSetup(fragmentParams, vmSlot).storingEverything();
        List<byte[]> draws = records(vmSlot, UNIT_VDM, encoder, end, VERTEX_DRAW_BYTES, work);
        if (draws == null) {
            return work;
        }
        buffer.partialOutputPending = false;
        new VertexPass(work, buffer, draws, vmSlot, width, height, tileMap, partial).next(ctx.timestamp());
        return work;
    }

    /** The state machine of one vertex pass: draw by draw, partial renders between. */
    private final class VertexPass {
        private final UnitWork work;
        private final BufferState buffer;
        private final List<byte[]> draws;
        private final int vmSlot, width, height;
        private final long tileMap;
        private final FragmentSetup partial;
        private int draw;
        private int firstTriangle;
        private boolean resetHeap = true;

        VertexPass(UnitWork work, BufferState buffer, List<byte[]> draws, int vmSlot, int width, int height, long tileMap,
                FragmentSetup partial) {
            this.work = work;
            this.buffer = buffer;
            this.draws = draws;
            this.vmSlot = vmSlot;
            this.width = width;
            this.height = height;
            this.tileMap = tileMap;
            this.partial = partial;
        }

        void next(long start) {
            if (ended(work, draw == draws.size(), start)) {
                return;
            }
            var s = java.lang.foreign.MemorySegment.ofArray(draws.get(draw));
            int triangles = s.get(INT, DRAW_TRIANGLES);
            TilerJob job = new TilerJob(vmSlot, s.get(LONG, DRAW_VERTICES), s.get(LONG, DRAW_INDICES), firstTriangle,
                    triangles, width, height, tileMap, buffer.heapBase, buffer.heapBytes, resetHeap,
                    s.get(LONG, DRAW_PROGRAM), s.get(LONG, DRAW_UNIFORMS), s.get(INT, DRAW_UNIFORM_COUNT));
            boolean reset = resetHeap;
            track(work, ctx.tiler().bin(job)).whenComplete((r, failure) -> {
                if (failure != null) {
                    fail(work, UnitOutcome.Kind.CANCELLED, null, String.valueOf(failure));
                    return;
                }
                binned(r, start, reset);
            });
        }

        private void binned(TilerResult r, long start, boolean heapWasEmpty) {
            UnitOutcome o = UnitOutcome.of(r.result());
            buffer.usedBytes = Math.max(buffer.usedBytes, r.heapBytesUsed());
            if (!o.ok()) {
                failed(work, o, start);
                return;
            }
            resetHeap = false;
            if (!r.heapOverflow()) {
                draw++;
                firstTriangle = 0;
                next(start);
                return;
            }
            buffer.overflows++;
            if (r.nextTriangle() == firstTriangle && heapWasEmpty) {
                fail(work, UnitOutcome.Kind.ERROR, null, "TVB heap too small for one primitive (" + buffer.heapBytes + " bytes)");
                return;
            }
            if (partial == null) {
                fail(work, UnitOutcome.Kind.ERROR, null, "TVB overflow with no fragment job to partially render");
                return;
            }
            firstTriangle = r.nextTriangle();
            boolean load = buffer.partialOutputPending;
            track(work, ctx.fragment().render(partial.job(buffer.heapBase, load))).whenComplete((fr, failure) -> {
                UnitOutcome po = failure != null ? new UnitOutcome(UnitOutcome.Kind.CANCELLED, start, ctx.timestamp(), null,
                        String.valueOf(failure)) : UnitOutcome.of(fr);
                if (!po.ok()) {
                    failed(work, po, start);
                    return;
                }
                buffer.partialRenders++;
                buffer.partialOutputPending = true;
                resetHeap = true;
                next(start);
            });
        }
    }
}
