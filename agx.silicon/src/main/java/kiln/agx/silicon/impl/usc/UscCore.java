package kiln.agx.silicon.impl.usc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import kiln.agx.api.isa.Isa;
import kiln.agx.api.isa.SpecialRegister;

/**
 * One simulated USC core running KSA: the interpreter.
 *
 * <h2>Batches</h2>
 * The hardware runs SIMD groups of 32 lanes. This core runs a <em>batch</em> of up to
 * {@link #MAX_BATCH} threads of one workgroup (several SIMD groups) through each instruction
 * together: registers are stored lane-major, so every instruction is one tight loop over the
 * batch that the JIT can vectorise, and the cost of decoding it is shared by all its lanes.
 * Batching is invisible to programs: KSA has no cross-lane operations, masks are per lane, and
 * a loop only repeats the lanes still in it, so every lane computes what it would alone; only
 * {@code lane} reports the hardware lane (thread index mod 32).
 *
 * <h2>Masks</h2>
 * The execution mask, the live lanes (not stopped) and the lanes that left the innermost loop
 * are bit sets over the batch, kept in one {@code long[]} with the block frames' saved masks
 * after them. When every live lane is active ({@code uniform}), ALU results are written to all
 * lanes, dead ones included (nobody reads a dead lane's registers again); otherwise they are
 * blended under the mask.
 *
 * <p>A core is confined to one host thread at a time and reused for every workgroup of one
 * dispatch.
 */
public final class UscCore {
    /** Most threads run through an instruction together. */
    public static final int MAX_BATCH = 256;
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long PAGE_BYTES = 1L << 14;
    private static final long PAGE_MASK = PAGE_BYTES - 1;
    private static final int MASK = 0;

    private final Program program;
    private final long[] uniforms;
    private final MicroTlb tlb;
    private final Translator translator;
    private final DispatchShape shape;
    private final StopFlag stop;
    private final int width;
    private final int words;
    private final int[] r;
    private final int[] tmp;
    /** Mask words: [MASK], [ALIVE], [EXCLUDED], [SCRATCH], then two per block frame. */
    private final long[] masks;
    private final int alive;
    private final int excluded;
    private final int scratch;
    private final int frames;
    /** Per thread of a workgroup (rounded up to whole batches): its x, y and z in the group. */
    private final int[] tidX;
    private final int[] tidY;
    private final int[] tidZ;
    private int wgX;
    private int wgY;
    private int wgZ;
    private int batchBase;
    private int batchCount;
    /** Fills the input registers of a {@link #runThreads} batch after the registers are zeroed. */
    private Runnable presetInputs;
    /** Registers {@link #runThreads} may preset or read back. */
    public static final int MAX_PRESET = Program.PRESET_REGISTERS;
    /** Whether some lane of the batch has stopped: then a uniform mask no longer covers the batch. */
    private boolean someStopped;
    /**
     * Per register: known to hold consecutive integers across the batch (lane l = lane 0 + l),
     * because an {@code sr} of a thread position that does not wrap within the batch wrote it,
     * or a {@code mov} copied such a register, and nothing else has written it since. Loads
     * and stores indexed by such a register are one run of memory without checking each lane.
     */
    private final boolean[] consecutive;

    /** Polled at loop back-edges and workgroup boundaries. */
    public interface StopFlag {
        boolean stopRequested();
    }

    /** The batch width for a workgroup of {@code threads}: whole SIMD groups, at most {@link #MAX_BATCH}. */
    public static int batchWidth(int threads) {
        return Math.min(MAX_BATCH, (threads + Isa.SIMD_WIDTH - 1) / Isa.SIMD_WIDTH * Isa.SIMD_WIDTH);
    }

    /**
     * @param program  the program scaled to {@link #batchWidth} of the shape's workgroup
     * @param uniforms the dispatch's 64 uniforms
     */
    public UscCore(Program program, long[] uniforms, Translator translator, DispatchShape shape, StopFlag stop) {
        this.program = program;
        this.uniforms = uniforms;
        this.translator = translator;
        this.tlb = new MicroTlb(translator);
        this.shape = shape;
        this.stop = stop;
        this.width = batchWidth(shape.workgroupThreads());
        if (program.stride != width) {
            throw new IllegalArgumentException("program scaled for " + program.stride + " lanes, batch is " + width);
        }
        this.words = (width + 63) >>> 6;
        this.alive = words;
        this.excluded = 2 * words;
        this.scratch = 3 * words;
        this.frames = 4 * words;
        this.masks = new long[frames + 2 * Isa.MAX_NESTING * words];
        this.r = new int[Math.max(program.registerCount, MAX_PRESET) * width];
        this.tmp = new int[width];
        this.consecutive = new boolean[Math.max(program.registerCount, MAX_PRESET)];
        int[] constants = program.constants;
        for (int i = 0; i < constants.length; i++) {
            Arrays.fill(r, (program.firstConstant + i) * width, (program.firstConstant + i + 1) * width, constants[i]);
        }
        int slots = (shape.workgroupThreads() + width - 1) / width * width;
        tidX = new int[slots];
        tidY = new int[slots];
        tidZ = new int[slots];
        for (int t = 0; t < slots; t++) {
            tidX[t] = t % shape.groupX();
            tidY[t] = t / shape.groupX() % shape.groupY();
            tidZ[t] = t / (shape.groupX() * shape.groupY());
        }
    }

    /** Runs every thread of one workgroup. */
    public void runWorkgroup(int x, int y, int z) {
        if (stop.stopRequested()) {
            throw StopRequested.INSTANCE;
        }
        wgX = x;
        wgY = y;
        wgZ = z;
        int threads = shape.workgroupThreads();
        for (int base = 0; base < threads; base += width) {
            batchBase = base;
            batchCount = Math.min(width, threads - base);
            runBatch();
        }
    }

    // ---- mask helpers: each works on `words` longs at an offset into `masks` ----

    private void setFirst(int at, int count) {
        for (int i = 0; i < words; i++) {
            int bits = Math.max(0, Math.min(64, count - 64 * i));
            masks[at + i] = bits == 64 ? -1L : (1L << bits) - 1;
        }
    }

    private void copy(int from, int to) {
        System.arraycopy(masks, from, masks, to, words);
    }

    private boolean isEmpty(int at) {
        long any = 0;
        for (int i = 0; i < words; i++) {
            any |= masks[at + i];
        }
        return any == 0;
    }

    private boolean same(int x, int y) {
        for (int i = 0; i < words; i++) {
            if (masks[x + i] != masks[y + i]) {
                return false;
            }
        }
        return true;
    }

    /** masks[to] = lanes of masks[within] whose register {@code reg} is nonzero. */
    private void nonZero(int reg, int within, int to) {
        final int[] r = this.r;
        // Uniform conditions are the common case: two reductions (which vectorise) settle them
        // without building the mask lane by lane.
        int all = 1;
        int any = 0;
        for (int l = 0; l < width; l++) {
            int nz = (r[reg + l] | -r[reg + l]) >>> 31;
            all &= nz;
            any |= nz;
        }
        if (all == 1 || any == 0) {
            for (int i = 0; i < words; i++) {
                masks[to + i] = any == 0 ? 0 : masks[within + i];
            }
            return;
        }
        for (int i = 0; i < words; i++) {
            long bits = 0;
            int end = Math.min(64, width - 64 * i);
            int base = reg + 64 * i;
            for (int l = 0; l < end; l++) {
                bits |= (r[base + l] != 0 ? 1L : 0L) << l;
            }
            masks[to + i] = bits & masks[within + i];
        }
    }

    /**
     * Runs {@code count} independent threads (fragments): thread {@code t} starts with
     * {@code r[k] = inputs[k][t]} for each input register k and every other register 0, and
     * ends with its registers {@code r0..r(outputs.length-1)} in {@code outputs[k][t]}. Special
     * registers report the thread as lane {@code t} of workgroup 0.
     */
    public void runThreads(int count, int[][] inputs, int[][] outputs) {
        if (stop.stopRequested()) {
            throw StopRequested.INSTANCE;
        }
        wgX = 0;
        wgY = 0;
        wgZ = 0;
        for (int base = 0; base < count; base += width) {
            batchBase = 0;
            batchCount = Math.min(width, count - base);
            int from = base;
            presetInputs = () -> {
                for (int k = 0; k < inputs.length; k++) {
                    System.arraycopy(inputs[k], from, r, k * width, batchCount);
                }
            };
            runBatch();
            for (int k = 0; k < outputs.length; k++) {
                System.arraycopy(r, k * width, outputs[k], from, batchCount);
            }
        }
        presetInputs = null;
    }

    private void runBatch() {
        final Program p = program;
        final int[] op = p.op;
        final int[] d = p.d;
        final int[] a = p.a;
        final int[] target = p.target;
        final long[] m = masks;
        final int n = words;
        if (presetInputs != null) {
            // Threads with preset inputs hand their registers back: clear all they can see.
            Arrays.fill(r, 0, Math.max(p.namedRegisters, MAX_PRESET) * width, 0);
        } else {
            for (int reg : p.zeroRegisters) {
                Arrays.fill(r, reg * width, (reg + 1) * width, 0);
            }
        }
        Arrays.fill(consecutive, false);
        if (presetInputs != null) {
            presetInputs.run();
        }
        setFirst(alive, batchCount);
        copy(alive, MASK);
        Arrays.fill(m, excluded, excluded + n, 0L);
        boolean uniform = true;
        someStopped = false;
        int sp = 0;
        int pc = 0;
        while (true) {
            switch (op[pc]) {
                case 0x00 -> { }
                case 0x01 -> {
                    for (int i = 0; i < n; i++) {
                        m[alive + i] &= ~m[MASK + i];
                        m[MASK + i] = 0;
                    }
                    if (isEmpty(alive)) {
                        return;
                    }
                    uniform = false;
                    someStopped = true;
                }
                case 0x50 -> {
                    access(pc, uniform, false);
                    consecutive[d[pc] / width] = false;
                }
                case 0x51 -> access(pc, uniform, true);
                case 0x60 -> {
                    int frame = frames + 2 * n * sp++;
                    copy(MASK, frame);
                    nonZero(a[pc], MASK, frame + n);
                    copy(frame + n, MASK);
                    if (isEmpty(MASK)) {
                        uniform = false;
                        pc = target[pc];
                        continue;
                    }
                    uniform = same(MASK, alive);
                }
                case 0x61 -> {
                    int frame = frames + 2 * n * (sp - 1);
                    for (int i = 0; i < n; i++) {
                        m[MASK + i] = m[frame + i] & ~m[frame + n + i] & m[alive + i];
                    }
                    if (isEmpty(MASK)) {
                        uniform = false;
                        pc = target[pc];
                        continue;
                    }
                    uniform = same(MASK, alive);
                }
                case 0x62 -> {
                    int frame = frames + 2 * n * --sp;
                    for (int i = 0; i < n; i++) {
                        m[MASK + i] = m[frame + i] & m[alive + i] & ~m[excluded + i];
                    }
                    uniform = same(MASK, alive);
                }
                case 0x63 -> {
                    int frame = frames + 2 * n * sp++;
                    copy(MASK, frame);
                    copy(excluded, frame + n);
                    Arrays.fill(m, excluded, excluded + n, 0L);
                    if (isEmpty(MASK)) {
                        pc = target[pc];
                        continue;
                    }
                }
                case 0x64 -> {
                    // Lanes outside the enclosing ifs may still be looping: an empty mask here
                    // only lets the ifs' ends restore the rest.
                    nonZero(a[pc], MASK, scratch);
                    for (int i = 0; i < n; i++) {
                        m[MASK + i] &= ~m[scratch + i];
                        m[excluded + i] |= m[scratch + i];
                    }
                    uniform = same(MASK, alive);
                }
                case 0x65 -> {
                    if (!isEmpty(MASK)) {
                        if (stop.stopRequested()) {
                            throw StopRequested.INSTANCE;
                        }
                        pc = target[pc] + 1;
                        continue;
                    }
                    int frame = frames + 2 * n * --sp;
                    for (int i = 0; i < n; i++) {
                        m[MASK + i] = m[frame + i] & m[alive + i];
                    }
                    copy(frame + n, excluded);
                    uniform = same(MASK, alive);
                }
                default -> {
                    if (uniform || !isEmpty(MASK)) {
                        alu(pc, d[pc], uniform);
                        consecutive[d[pc] / width] = uniform && !someStopped && producesRun(pc);
                    }
                }
            }
            pc++;
        }
    }

    private void alu(int pc, int dst, boolean uniform) {
        final Program p = program;
        final int w = width;
        // Results go to a separate array first: with the destination possibly aliasing a
        // source, C2 would not vectorise the loops.
        final int[] out = tmp;
        Alu alu = p.alu[pc];
        if (alu != null) {
            alu.run(r, p.a[pc], p.b[pc], p.c[pc], out, w);
        } else {
            switch (p.op[pc]) {
                case 0x03 -> Arrays.fill(out, 0, w, p.imm[pc]);
                case 0x04 -> {
                    long u = uniforms[p.a[pc] / w];
                    Arrays.fill(out, 0, w, (int) (p.imm[pc] == 0 ? u : u >>> 32));
                }
                case 0x05 -> special(SpecialRegister.of(p.imm[pc]), out, 0);
                default -> throw new AssertionError("decoder let through opcode " + p.op[pc]);
            }
        }
        if (uniform) {
            System.arraycopy(out, 0, r, dst, w);
        } else {
            final long[] m = masks;
            for (int l = 0; l < w; l++) {
                if ((m[MASK + (l >>> 6)] >>> l & 1) != 0) {
                    r[dst + l] = out[l];
                }
            }
        }
    }

    private void special(SpecialRegister which, int[] out, int o) {
        final int w = width;
        int base = batchBase;
        switch (which) {
            case TID_X -> System.arraycopy(tidX, base, out, o, w);
            case TID_Y -> System.arraycopy(tidY, base, out, o, w);
            case TID_Z -> System.arraycopy(tidZ, base, out, o, w);
            case GID_X -> offset(tidX, base, wgX * shape.groupX(), out, o);
            case GID_Y -> offset(tidY, base, wgY * shape.groupY(), out, o);
            case GID_Z -> offset(tidZ, base, wgZ * shape.groupZ(), out, o);
            case LANE -> {
                for (int l = 0; l < w; l++) {
                    out[o + l] = (base + l) & (Isa.SIMD_WIDTH - 1);
                }
            }
            default -> Arrays.fill(out, o, o + w, switch (which) {
                case WG_X -> wgX;
                case WG_Y -> wgY;
                case WG_Z -> wgZ;
                case WGSIZE_X -> shape.groupX();
                case WGSIZE_Y -> shape.groupY();
                case WGSIZE_Z -> shape.groupZ();
                case GRID_X -> shape.gridX();
                case GRID_Y -> shape.gridY();
                default -> shape.gridZ();
            });
        }
    }

    /** Whether the instruction at {@code pc} just wrote consecutive integers to every lane. */
    private boolean producesRun(int pc) {
        Program p = program;
        return switch (p.op[pc]) {
            case 0x02 -> consecutive[p.a[pc] / width];
            case 0x05 -> {
                SpecialRegister which = SpecialRegister.of(p.imm[pc]);
                int gx = shape.groupX();
                yield (which == SpecialRegister.TID_X || which == SpecialRegister.GID_X)
                        && batchCount == width && batchBase % gx + width <= gx;
            }
            default -> false;
        };
    }

    private void offset(int[] ids, int base, int add, int[] out, int o) {
        for (int l = 0; l < width; l++) {
            out[o + l] = ids[base + l] + add;
        }
    }

    /**
     * The first lane's index if every lane of a full batch is active and the index register
     * holds consecutive integers (the common {@code a[gid]} access), so the access is one run of
     * memory; else {@code Integer.MIN_VALUE}.
     */
    private int consecutiveRun(int index, boolean uniform) {
        if (!uniform || someStopped || batchCount != width || !consecutive[index / width]) {
            return Integer.MIN_VALUE;
        }
        int first = r[index];
        return first > Integer.MAX_VALUE - width ? Integer.MIN_VALUE : first;
    }

    /**
     * {@code ld} or {@code st}: a whole run of memory when the lanes index consecutive words,
     * else lane by lane under the mask. A store translates every page of a run first, so a
     * refused one writes nothing.
     */
    private void access(int pc, boolean uniform, boolean store) {
        final Program p = program;
        final int[] r = this.r;
        final int reg = p.d[pc];
        final int index = p.b[pc];
        final long base = uniforms[p.a[pc] / width] + p.imm[pc];
        final long[] m = masks;
        tlb.sync();
        long va = 0;
        try {
            int first = consecutiveRun(index, uniform);
            long start = base + ((long) first << 2);
            if (first != Integer.MIN_VALUE && (start & 3) == 0) {
                if (store) {
                    for (long page = start >>> 14; page <= (start + 4L * width - 1) >>> 14; page++) {
                        va = Math.max(start, page << 14);
                        tlb.lookup(va, true);
                    }
                }
                int done = 0;
                while (done < width) {
                    va = start + 4L * done;
                    int chunk = (int) Math.min(width - done, (PAGE_BYTES - (va & PAGE_MASK)) >>> 2);
                    MemorySegment frame = tlb.lookup(va, store);
                    if (store) {
                        MemorySegment.copy(r, reg + done, frame, WORD, va & PAGE_MASK, chunk);
                    } else {
                        MemorySegment.copy(frame, WORD, va & PAGE_MASK, r, reg + done, chunk);
                    }
                    done += chunk;
                }
                return;
            }
            for (int l = 0; l < width; l++) {
                if ((m[MASK + (l >>> 6)] >>> l & 1) != 0) {
                    va = base + ((long) r[index + l] << 2);
                    if ((va & 3) != 0) {
                        throw misaligned(pc, va);
                    }
                    MemorySegment frame = tlb.lookup(va, store);
                    if (store) {
                        frame.set(WORD, va & PAGE_MASK, r[reg + l]);
                    } else {
                        r[reg + l] = frame.get(WORD, va & PAGE_MASK);
                    }
                }
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(va, store);
        }
    }

    private static IllegalProgramException misaligned(int pc, long va) {
        return new IllegalProgramException("misaligned access to 0x" + Long.toHexString(va) + " at " + pc);
    }
}
