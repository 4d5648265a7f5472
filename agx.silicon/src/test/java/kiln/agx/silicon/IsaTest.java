package kiln.agx.silicon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import kiln.agx.api.isa.Form;
import kiln.agx.api.isa.Opcode;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.silicon.ComputeHarness.Buffer;

/**
 * KSA semantics, instruction by instruction, against the rules the ISA documentation states:
 * every ALU, compare and conversion instruction over edge-case operands (both the register and
 * the immediate form), then control flow, special registers and memory.
 */
class IsaTest {
    private static final int[] INTS = {0, 1, -1, 2, 5, -7, 31, 32, 33, Integer.MIN_VALUE, Integer.MAX_VALUE,
        0x5555_5555, 12345, -98765};
    private static final float[] FLOATS = {0f, -0f, 1f, -1f, 0.5f, 3.75f, -2.25f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, 2.5e9f, -2.5e9f, 16777217f};

    private static ComputeHarness gpu;

    @BeforeAll
    static void powerOn() throws Exception {
        gpu = new ComputeHarness();
    }

    @AfterAll
    static void powerOff() {
        gpu.close();
    }

    private static int[] operands(Opcode op) {
        if (!op.isFloat() && op != Opcode.F2I) {
            return INTS;
        }
        int[] bits = new int[FLOATS.length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Float.floatToRawIntBits(FLOATS[i]);
        }
        return bits;
    }

    private static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static int bits(float value) {
        return Float.floatToRawIntBits(value);
    }

    private static int b(boolean value) {
        return value ? 1 : 0;
    }

    /** The ISA documentation's semantics, written independently of the interpreter. */
    static int reference(Opcode op, int a, int x) {
        float fa = f(a);
        float fx = f(x);
        return switch (op) {
            case MOV -> a;
            case IADD -> a + x;
            case ISUB -> a - x;
            case IMUL -> a * x;
            case IDIV -> x == 0 ? 0 : a / x;
            case IREM -> x == 0 ? a : a % x;
            case AND -> a & x;
            case OR -> a | x;
            case XOR -> a ^ x;
            case SHL -> a << (x & 31);
            case SHR -> a >>> (x & 31);
            case SAR -> a >> (x & 31);
            case IMIN -> Math.min(a, x);
            case IMAX -> Math.max(a, x);
            case FADD -> bits(fa + fx);
            case FSUB -> bits(fa - fx);
            case FMUL -> bits(fa * fx);
            case FDIV -> bits(fa / fx);
            case FMIN -> bits(Math.min(fa, fx));
            case FMAX -> bits(Math.max(fa, fx));
            case FABS -> bits(Math.abs(fa));
            case FNEG -> bits(-fa);
            case FSQRT -> bits((float) Math.sqrt(fa));
            case FFLOOR -> bits((float) Math.floor(fa));
            case I2F -> bits((float) a);
            case F2I -> (int) fa;
            case IEQ -> b(a == x);
            case INE -> b(a != x);
            case ILT -> b(a < x);
            case ILE -> b(a <= x);
            case IGT -> b(a > x);
            case IGE -> b(a >= x);
            case ULT -> b(Integer.compareUnsigned(a, x) < 0);
            case UGE -> b(Integer.compareUnsigned(a, x) >= 0);
            case FEQ -> b(fa == fx);
            case FNE -> b(fa != fx);
            case FLT -> b(fa < fx);
            case FLE -> b(fa <= fx);
            case FGT -> b(fa > fx);
            case FGE -> b(fa >= fx);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    private static void assertSameValue(Opcode op, String what, int expected, int actual) {
        boolean bothNaN = op.isFloat() && Float.isNaN(f(expected)) && Float.isNaN(f(actual)) && op.compareTo(Opcode.IEQ) < 0;
        if (expected != actual && !bothNaN) {
            fail(op.mnemonic() + " " + what + ": expected 0x" + Integer.toHexString(expected) + " got 0x"
                    + Integer.toHexString(actual));
        }
    }

    @Test
    void everyBinaryInstructionInRegisterForm() throws Exception {
        for (Opcode op : Opcode.values()) {
            if (op.form() != Form.D_A_B) {
                continue;
            }
            int[] values = operands(op);
            int n = values.length * values.length;
            Buffer a = gpu.buffer(4L * n);
            Buffer x = gpu.buffer(4L * n);
            Buffer out = gpu.buffer(4L * n);
            for (int i = 0; i < n; i++) {
                a.setInt(i, values[i / values.length]);
                x.setInt(i, values[i % values.length]);
            }
            long program = gpu.program("""
                    sr r0, gid.x
                    umov r4, u3.lo
                    ilt r5, r0, r4
                    if r5
                      ld r1, u0, r0
                      ld r2, u1, r0
                      %s r3, r1, r2
                      st r3, u2, r0
                    endif
                    stop
                    """.formatted(op.mnemonic()));
            DispatchResult result = gpu.run1d(program, n, 64, a.va(), x.va(), out.va(), n);
            assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
            for (int i = 0; i < n; i++) {
                assertSameValue(op, "0x" + Integer.toHexString(a.getInt(i)) + ", 0x" + Integer.toHexString(x.getInt(i)),
                        reference(op, a.getInt(i), x.getInt(i)), out.getInt(i));
            }
        }
    }

    @Test
    void everyBinaryInstructionInImmediateForm() throws Exception {
        for (Opcode op : Opcode.values()) {
            if (op.form() != Form.D_A_B) {
                continue;
            }
            int[] values = operands(op);
            int[] immediates = op.isFloat() ? new int[] {bits(0.75f), bits(-3f)} : new int[] {3, -40};
            for (int imm : immediates) {
                Buffer a = gpu.buffer(4L * values.length);
                Buffer out = gpu.buffer(4L * values.length);
                for (int i = 0; i < values.length; i++) {
                    a.setInt(i, values[i]);
                }
                String literal = op.isFloat() ? Float.toString(f(imm)) : Integer.toString(imm);
                long program = gpu.program("""
                        sr r0, gid.x
                        ld r1, u0, r0
                        %s r3, r1, #%s
                        st r3, u1, r0
                        stop
                        """.formatted(op.mnemonic(), literal));
                DispatchResult result = gpu.run1d(program, values.length, 32, a.va(), out.va());
                assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
                for (int i = 0; i < values.length; i++) {
                    assertSameValue(op, "0x" + Integer.toHexString(values[i]) + ", #" + literal,
                            reference(op, values[i], imm), out.getInt(i));
                }
            }
        }
    }

    @Test
    void everyUnaryInstruction() throws Exception {
        for (Opcode op : Opcode.values()) {
            if (op.form() != Form.D_A) {
                continue;
            }
            List<Integer> inputs = new ArrayList<>();
            for (int v : INTS) {
                inputs.add(v);
            }
            for (float v : FLOATS) {
                inputs.add(bits(v));
            }
            Buffer a = gpu.buffer(4L * inputs.size());
            Buffer out = gpu.buffer(4L * inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                a.setInt(i, inputs.get(i));
            }
            long program = gpu.program("""
                    sr r0, gid.x
                    ld r1, u0, r0
                    %s r2, r1
                    st r2, u1, r0
                    stop
                    """.formatted(op.mnemonic()));
            DispatchResult result = gpu.run1d(program, inputs.size(), 32, a.va(), out.va());
            assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
            for (int i = 0; i < inputs.size(); i++) {
                assertSameValue(op, "0x" + Integer.toHexString(inputs.get(i)), reference(op, inputs.get(i), 0), out.getInt(i));
            }
        }
    }

    @Test
    void fmaRoundsOnceAndSelPicksPerLane() throws Exception {
        Buffer out = gpu.buffer(4 * 64);
        long program = gpu.program("""
                sr r0, gid.x
                movi r1, #0x3f800001      ; 1 + 2^-23
                movi r2, #0xbf800002      ; -(1 + 2^-22)
                fmul r3, r1, r1
                fadd r4, r3, r2           ; two roundings: 0
                movi r9, #0
                fma r5, r1, r1, r2        ; one rounding: 2^-46
                st r4, u0, r0
                iadd r6, r0, #32
                st r5, u0, r6
                and r7, r0, #1
                sel r8, r0, r6, r7        ; odd lanes keep gid, even lanes gid+32
                iadd r10, r0, #64
                st r8, u0, r10
                stop
                """);
        Buffer sel = gpu.buffer(4 * 96);
        DispatchResult result = gpu.run1d(program, 32, 32, sel.va());
        assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
        assertEquals(0f, sel.getFloat(0));
        assertEquals((float) Math.pow(2, -46), sel.getFloat(32));
        for (int lane = 0; lane < 32; lane++) {
            assertEquals((lane & 1) != 0 ? lane : lane + 32, sel.getInt(64 + lane));
        }
        assertEquals(0, out.getInt(0));
    }

    @ParameterizedTest(name = "workgroups of {0}")
    @ValueSource(ints = {32, 100, 256, 1000})
    void divergentIfElseNestedLoopsBreakAndStop(int group) throws Exception {
        // Each thread counts down from gid: odd threads add, even ones subtract, all leave the
        // loop by break, threads 5..7 stop early (their result stays the initial 0), and a nested
        // if inside the loop skips multiples of 3.
        long program = gpu.program("""
                sr r0, gid.x
                movi r1, #0            ; accumulator
                mov r2, r0             ; counter
                ige r9, r0, #5
                ile r10, r0, #7
                and r9, r9, r10
                if r9
                  stop
                endif
                loop
                  ile r3, r2, #0
                  break r3
                  irem r4, r2, #3
                  if r4
                    and r5, r0, #1
                    if r5
                      iadd r1, r1, r2
                    else
                      isub r1, r1, r2
                    endif
                  endif
                  isub r2, r2, #1
                endloop
                st r1, u0, r0
                stop
                """);
        int n = 2000; // rounded up to whole workgroups: the threads past 2000 run too
        int total = (n + group - 1) / group * group;
        Buffer out = gpu.buffer(4L * total);
        for (int i = 0; i < total; i++) {
            out.setInt(i, 0x7777);
        }
        DispatchResult result = gpu.run1d(program, n, group, out.va());
        assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
        for (int t = 0; t < total; t++) {
            int expected = 0;
            for (int c = t; c > 0; c--) {
                if (c % 3 != 0) {
                    expected += (t & 1) != 0 ? c : -c;
                }
            }
            assertEquals(t >= 5 && t <= 7 ? 0x7777 : expected, out.getInt(t), "thread " + t);
        }
    }

    @Test
    void breakFromInsideNestedIfsLeavesOnlyThoseLanes() throws Exception {
        long program = gpu.program("""
                sr r0, lane
                movi r1, #0
                loop
                  iadd r1, r1, #1
                  and r2, r0, #1
                  if r2
                    ige r3, r1, #3
                    if r3
                      break r3
                    endif
                  endif
                  ige r4, r1, #10
                  break r4
                endloop
                st r1, u0, r0
                stop
                """);
        Buffer out = gpu.buffer(4 * 32);
        assertEquals(DispatchResult.Status.COMPLETED, gpu.run1d(program, 32, 32, out.va()).status());
        for (int lane = 0; lane < 32; lane++) {
            assertEquals((lane & 1) != 0 ? 3 : 10, out.getInt(lane), "lane " + lane);
        }
    }

    @Test
    void registersStartAtZeroInEveryBatchEvenWhereOnlySomeLanesWriteThem() throws Exception {
        // r5 is written only by odd threads, r6 is carried around a loop, r7 is never written, r8
        // only in odd workgroups (all lanes): every thread of every workgroup (the register file
        // is reused) must see them start at 0.
        long program = gpu.program("""
                sr r0, gid.x
                and r1, r0, #1
                if r1
                  movi r5, #99
                endif
                movi r2, #0
                loop
                  iadd r6, r6, #1
                  iadd r2, r2, #1
                  ige r3, r2, #3
                  break r3
                endloop
                sr r9, wg.x
                and r9, r9, #1
                if r9
                  movi r8, #1000
                endif
                iadd r4, r5, r6
                iadd r4, r4, r7
                iadd r4, r4, r8
                st r4, u0, r0
                stop
                """);
        int n = 64 * 40;
        Buffer out = gpu.buffer(4L * n);
        DispatchResult result = gpu.run1d(program, n, 64, out.va());
        assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
        for (int t = 0; t < n; t++) {
            int expected = ((t & 1) != 0 ? 102 : 3) + ((t / 64 & 1) != 0 ? 1000 : 0);
            assertEquals(expected, out.getInt(t), "thread " + t);
        }
    }

    @Test
    void specialRegistersDescribeA3dGrid() throws Exception {
        long program = gpu.program("""
                sr r0, gid.x
                sr r1, gid.y
                sr r2, gid.z
                sr r3, grid.x
                sr r4, wgsize.x
                imul r5, r3, r4          ; threads along x
                sr r6, grid.y
                sr r7, wgsize.y
                imul r6, r6, r7          ; threads along y
                imul r8, r2, r6
                iadd r8, r8, r1
                imul r8, r8, r5
                iadd r8, r8, r0          ; linear index
                sr r10, tid.x
                sr r11, tid.y
                sr r12, tid.z
                sr r13, wg.x
                sr r14, wg.y
                sr r15, wg.z
                shl r16, r15, #24
                shl r17, r14, #20
                or r16, r16, r17
                shl r17, r13, #16
                or r16, r16, r17
                shl r17, r12, #8
                or r16, r16, r17
                shl r17, r11, #4
                or r16, r16, r17
                or r16, r16, r10
                st r16, u0, r8
                sr r18, lane
                st r18, u1, r8
                stop
                """);
        int gx = 3, gy = 2, gz = 2, wx = 4, wy = 3, wz = 2;
        int threads = gx * gy * gz * wx * wy * wz;
        Buffer ids = gpu.buffer(4L * threads);
        Buffer lanes = gpu.buffer(4L * threads);
        DispatchResult result = gpu.run(program, new long[] {ids.va(), lanes.va()}, gx, gy, gz, wx, wy, wz);
        assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
        for (int z = 0; z < gz * wz; z++) {
            for (int y = 0; y < gy * wy; y++) {
                for (int x = 0; x < gx * wx; x++) {
                    int linear = (z * gy * wy + y) * gx * wx + x;
                    int expected = (z / wz) << 24 | (y / wy) << 20 | (x / wx) << 16 | (z % wz) << 8 | (y % wy) << 4 | (x % wx);
                    assertEquals(expected, ids.getInt(linear), "thread " + x + "," + y + "," + z);
                    int inGroup = (z % wz) * wx * wy + (y % wy) * wx + (x % wx);
                    assertEquals(inGroup % 32, lanes.getInt(linear));
                }
            }
        }
    }

    @Test
    void uniformsHalvesAndOffsetsAddressMemory() throws Exception {
        Buffer in = gpu.buffer(4 * 64);
        Buffer out = gpu.buffer(4 * 64);
        for (int i = 0; i < 64; i++) {
            in.setInt(i, i * 10);
        }
        long program = gpu.program("""
                sr r0, gid.x
                ld r1, u0, r0, #16        ; in[gid + 4]
                umov r2, u2.lo
                umov r3, u2.hi
                iadd r1, r1, r2
                iadd r1, r1, r3
                st r1, u1, r0, #-4        ; out[gid - 1]
                stop
                """);
        long both = (7L << 32) | 100;
        DispatchResult result = gpu.run(program, new long[] {in.va(), out.va() + 4, both}, 1, 1, 1, 32, 1, 1);
        assertEquals(DispatchResult.Status.COMPLETED, result.status(), result.detail());
        for (int i = 0; i < 32; i++) {
            assertEquals((i + 4) * 10 + 107, out.getInt(i));
        }
    }
}
