package kiln.agx.silicon.impl.usc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import kiln.agx.api.isa.Isa;
import kiln.agx.api.isa.SpecialRegister;

/**
 * One simulated USC core running KSA: the interpreter. It executes each instruction for a whole
 * SIMD group of 32 lanes at once (registers are stored lane-major, so each instruction is one
 * tight loop the JIT can vectorise), with an execution mask and a stack of block frames for
 * structured control flow. A core is confined to one host thread at a time and reused for every
 * workgroup of one dispatch.
 */
public final class UscCore {
    private static final int W = Isa.SIMD_WIDTH;
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long PAGE_MASK = (1L << 14) - 1;

    private final Program program;
    private final long[] uniforms;
    private final MicroTlb tlb;
    private final Translator translator;
    private final DispatchShape shape;
    private final StopFlag stop;
    private final int[] r;
    private final int[] tmp = new int[W];
    private final int[] frameMask = new int[Isa.MAX_NESTING];
    private final int[] frameAux = new int[Isa.MAX_NESTING];
    private int wgX;
    private int wgY;
    private int wgZ;
    private int groupBase;

    /** Polled at loop back-edges and workgroup boundaries. */
    public interface StopFlag {
        boolean stopRequested();
    }

    /**
     * @param shape    the grid and workgroup size
     * @param uniforms the dispatch's 64 uniforms
     */
    public UscCore(Program program, long[] uniforms, Translator translator, DispatchShape shape, StopFlag stop) {
        this.program = program;
        this.uniforms = uniforms;
        this.translator = translator;
        this.tlb = new MicroTlb(translator);
        this.shape = shape;
        this.stop = stop;
        this.r = new int[program.registerCount * W];
        int[] constants = program.constants;
        for (int i = 0; i < constants.length; i++) {
            Arrays.fill(r, (Isa.REGISTERS + i) * W, (Isa.REGISTERS + i + 1) * W, constants[i]);
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
        for (int base = 0; base < threads; base += W) {
            groupBase = base;
            int count = threads - base;
            runGroup(count >= W ? -1 : (1 << count) - 1);
        }
    }

    private void runGroup(int initialMask) {
        final Program p = program;
        final int[] op = p.op;
        final int[] d = p.d;
        final int[] a = p.a;
        final int[] target = p.target;
        final int[] r = this.r;
        Arrays.fill(r, 0, p.namedRegisters * W, 0);
        int alive = initialMask;
        int mask = initialMask;
        int excluded = 0;
        int sp = 0;
        int pc = 0;
        while (true) {
            switch (op[pc]) {
                case 0x00 -> { }
                case 0x01 -> {
                    alive &= ~mask;
                    mask = 0;
                    if (alive == 0) {
                        return;
                    }
                }
                case 0x50 -> load(pc, mask);
                case 0x51 -> store(pc, mask);
                case 0x60 -> {
                    int taken = nonZero(a[pc], mask);
                    frameMask[sp] = mask;
                    frameAux[sp] = taken;
                    sp++;
                    mask = taken;
                    if (mask == 0) {
                        pc = target[pc];
                        continue;
                    }
                }
                case 0x61 -> {
                    mask = frameMask[sp - 1] & ~frameAux[sp - 1] & alive;
                    if (mask == 0) {
                        pc = target[pc];
                        continue;
                    }
                }
                case 0x62 -> mask = frameMask[--sp] & alive & ~excluded;
                case 0x63 -> {
                    frameMask[sp] = mask;
                    frameAux[sp] = excluded;
                    sp++;
                    excluded = 0;
                    if (mask == 0) {
                        pc = target[pc];
                        continue;
                    }
                }
                case 0x64 -> {
                    int leaving = nonZero(a[pc], mask);
                    // Lanes outside the enclosing ifs may still be looping: an empty mask here
                    // only lets the ifs' ends restore the rest.
                    mask &= ~leaving;
                    excluded |= leaving;
                }
                case 0x65 -> {
                    if (mask != 0) {
                        if (stop.stopRequested()) {
                            throw StopRequested.INSTANCE;
                        }
                        pc = target[pc] + 1;
                        continue;
                    }
                    sp--;
                    mask = frameMask[sp] & alive;
                    excluded = frameAux[sp];
                }
                default -> {
                    if (mask != 0) {
                        alu(pc, d[pc], mask);
                    }
                }
            }
            pc++;
        }
    }

    private int nonZero(int reg, int mask) {
        int bits = 0;
        for (int l = 0; l < W; l++) {
            bits |= (r[reg + l] != 0 ? 1 : 0) << l;
        }
        return bits & mask;
    }

    private void alu(int pc, int dst, int mask) {
        final Program p = program;
        final int[] r = this.r;
        final int a = p.a[pc];
        final int b = p.b[pc];
        final int[] out;
        final int o;
        if (mask == -1) {
            out = r;
            o = dst;
        } else {
            out = tmp;
            o = 0;
        }
        switch (p.op[pc]) {
            case 0x02 -> System.arraycopy(r, a, out, o, W);
            case 0x03 -> Arrays.fill(out, o, o + W, p.imm[pc]);
            case 0x04 -> {
                long u = uniforms[p.a[pc] / W];
                Arrays.fill(out, o, o + W, (int) (p.imm[pc] == 0 ? u : u >>> 32));
            }
            case 0x05 -> special(SpecialRegister.of(p.imm[pc]), out, o);
            case 0x10 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] + r[b + l]; }
            case 0x11 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] - r[b + l]; }
            case 0x12 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] * r[b + l]; }
            case 0x13 -> { for (int l = 0; l < W; l++) out[o + l] = div(r[a + l], r[b + l]); }
            case 0x14 -> { for (int l = 0; l < W; l++) out[o + l] = rem(r[a + l], r[b + l]); }
            case 0x15 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] & r[b + l]; }
            case 0x16 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] | r[b + l]; }
            case 0x17 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] ^ r[b + l]; }
            case 0x18 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] << r[b + l]; }
            case 0x19 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] >>> r[b + l]; }
            case 0x1a -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] >> r[b + l]; }
            case 0x1b -> { for (int l = 0; l < W; l++) out[o + l] = Math.min(r[a + l], r[b + l]); }
            case 0x1c -> { for (int l = 0; l < W; l++) out[o + l] = Math.max(r[a + l], r[b + l]); }
            case 0x20 -> { for (int l = 0; l < W; l++) out[o + l] = fbits(f(r[a + l]) + f(r[b + l])); }
            case 0x21 -> { for (int l = 0; l < W; l++) out[o + l] = fbits(f(r[a + l]) - f(r[b + l])); }
            case 0x22 -> { for (int l = 0; l < W; l++) out[o + l] = fbits(f(r[a + l]) * f(r[b + l])); }
            case 0x23 -> { for (int l = 0; l < W; l++) out[o + l] = fbits(f(r[a + l]) / f(r[b + l])); }
            case 0x24 -> { for (int l = 0; l < W; l++) out[o + l] = fbits(Math.min(f(r[a + l]), f(r[b + l]))); }
            case 0x25 -> { for (int l = 0; l < W; l++) out[o + l] = fbits(Math.max(f(r[a + l]), f(r[b + l]))); }
            case 0x28 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] & 0x7fff_ffff; }
            case 0x29 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] ^ 0x8000_0000; }
            case 0x2a -> { for (int l = 0; l < W; l++) out[o + l] = fbits((float) Math.sqrt(f(r[a + l]))); }
            case 0x2b -> { for (int l = 0; l < W; l++) out[o + l] = fbits((float) Math.floor(f(r[a + l]))); }
            case 0x2c -> { for (int l = 0; l < W; l++) out[o + l] = fbits((float) r[a + l]); }
            case 0x2d -> { for (int l = 0; l < W; l++) out[o + l] = (int) f(r[a + l]); }
            case 0x30 -> {
                int c = p.c[pc];
                for (int l = 0; l < W; l++) {
                    out[o + l] = fbits(Math.fma(f(r[a + l]), f(r[b + l]), f(r[c + l])));
                }
            }
            case 0x31 -> {
                int c = p.c[pc];
                for (int l = 0; l < W; l++) {
                    out[o + l] = r[c + l] != 0 ? r[a + l] : r[b + l];
                }
            }
            case 0x40 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] == r[b + l] ? 1 : 0; }
            case 0x41 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] != r[b + l] ? 1 : 0; }
            case 0x42 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] < r[b + l] ? 1 : 0; }
            case 0x43 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] <= r[b + l] ? 1 : 0; }
            case 0x44 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] > r[b + l] ? 1 : 0; }
            case 0x45 -> { for (int l = 0; l < W; l++) out[o + l] = r[a + l] >= r[b + l] ? 1 : 0; }
            case 0x46 -> { for (int l = 0; l < W; l++) out[o + l] = Integer.compareUnsigned(r[a + l], r[b + l]) < 0 ? 1 : 0; }
            case 0x47 -> { for (int l = 0; l < W; l++) out[o + l] = Integer.compareUnsigned(r[a + l], r[b + l]) >= 0 ? 1 : 0; }
            case 0x48 -> { for (int l = 0; l < W; l++) out[o + l] = f(r[a + l]) == f(r[b + l]) ? 1 : 0; }
            case 0x49 -> { for (int l = 0; l < W; l++) out[o + l] = f(r[a + l]) != f(r[b + l]) ? 1 : 0; }
            case 0x4a -> { for (int l = 0; l < W; l++) out[o + l] = f(r[a + l]) < f(r[b + l]) ? 1 : 0; }
            case 0x4b -> { for (int l = 0; l < W; l++) out[o + l] = f(r[a + l]) <= f(r[b + l]) ? 1 : 0; }
            case 0x4c -> { for (int l = 0; l < W; l++) out[o + l] = f(r[a + l]) > f(r[b + l]) ? 1 : 0; }
            case 0x4d -> { for (int l = 0; l < W; l++) out[o + l] = f(r[a + l]) >= f(r[b + l]) ? 1 : 0; }
            default -> throw new AssertionError("decoder let through opcode " + p.op[pc]);
        }
        if (mask != -1) {
            for (int l = 0; l < W; l++) {
                if ((mask >>> l & 1) != 0) {
                    r[dst + l] = tmp[l];
                }
            }
        }
    }

    private void special(SpecialRegister which, int[] out, int o) {
        int gx = shape.groupX();
        int gy = shape.groupY();
        for (int l = 0; l < W; l++) {
            int t = groupBase + l;
            int tx = t % gx;
            int ty = (t / gx) % gy;
            int tz = t / (gx * gy);
            out[o + l] = switch (which) {
                case TID_X -> tx;
                case TID_Y -> ty;
                case TID_Z -> tz;
                case WG_X -> wgX;
                case WG_Y -> wgY;
                case WG_Z -> wgZ;
                case WGSIZE_X -> gx;
                case WGSIZE_Y -> gy;
                case WGSIZE_Z -> shape.groupZ();
                case GRID_X -> shape.gridX();
                case GRID_Y -> shape.gridY();
                case GRID_Z -> shape.gridZ();
                case GID_X -> wgX * gx + tx;
                case GID_Y -> wgY * gy + ty;
                case GID_Z -> wgZ * shape.groupZ() + tz;
                case LANE -> l;
            };
        }
    }

    private void load(int pc, int mask) {
        if (mask == 0) {
            return;
        }
        final Program p = program;
        final int[] r = this.r;
        final int dst = p.d[pc];
        final int index = p.b[pc];
        final long base = uniforms[p.a[pc] / W] + p.imm[pc];
        tlb.sync();
        long va = 0;
        try {
            for (int l = 0; l < W; l++) {
                if ((mask >>> l & 1) != 0) {
                    va = base + ((long) r[index + l] << 2);
                    if ((va & 3) != 0) {
                        throw misaligned(pc, va);
                    }
                    MemorySegment frame = tlb.lookup(va, false);
                    r[dst + l] = frame.get(WORD, va & PAGE_MASK);
                }
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(va, false);
        }
    }

    private void store(int pc, int mask) {
        if (mask == 0) {
            return;
        }
        final Program p = program;
        final int[] r = this.r;
        final int src = p.d[pc];
        final int index = p.b[pc];
        final long base = uniforms[p.a[pc] / W] + p.imm[pc];
        tlb.sync();
        long va = 0;
        try {
            for (int l = 0; l < W; l++) {
                if ((mask >>> l & 1) != 0) {
                    va = base + ((long) r[index + l] << 2);
                    if ((va & 3) != 0) {
                        throw misaligned(pc, va);
                    }
                    MemorySegment frame = tlb.lookup(va, true);
                    frame.set(WORD, va & PAGE_MASK, r[src + l]);
                }
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(va, true);
        }
    }

    private static IllegalProgramException misaligned(int pc, long va) {
        return new IllegalProgramException("misaligned access to 0x" + Long.toHexString(va) + " at " + pc);
    }

    private static int div(int x, int y) {
        return y == 0 ? 0 : x / y;
    }

    private static int rem(int x, int y) {
        return y == 0 ? x : x % y;
    }

    private static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static int fbits(float value) {
        return Float.floatToRawIntBits(value);
    }
}
