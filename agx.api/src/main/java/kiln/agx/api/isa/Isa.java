package kiln.agx.api.isa;

/** The machine limits of KSA; see the {@linkplain kiln.agx.api.isa package documentation}. */
public final class Isa {
    private Isa() {
    }

    /** Lanes in a SIMD group. */
    public static final int SIMD_WIDTH = 32;
    /** Per-thread 32-bit registers. */
    public static final int REGISTERS = 64;
    /** Per-dispatch 64-bit uniforms. */
    public static final int UNIFORMS = 64;
    /** Threads in one workgroup at most. */
    public static final int MAX_WORKGROUP_THREADS = 1024;
    /** Instructions in one program at most. */
    public static final int MAX_PROGRAM_WORDS = 1 << 16;
    /** Nested if/loop blocks at most. */
    public static final int MAX_NESTING = 32;
    /** Opcode bit: operand b is the immediate. */
    public static final int IMMEDIATE_B = 0x80;
    /** Bytes per instruction word. */
    public static final int WORD_BYTES = 8;
}
