package kiln.agx.api.isa;

/** The operands an instruction takes, as the assembler writes them. */
public enum Form {
    /** No operands: {@code stop}. */
    NONE,
    /** {@code op rD, rA}. */
    D_A,
    /** {@code op rD, #imm}. */
    D_IMM,
    /** {@code op rD, rA, rB} or {@code op rD, rA, #imm}. */
    D_A_B,
    /** {@code op rD, rA, rB, rC} (rC in imm [7:0]). */
    D_A_B_C,
    /** {@code umov rD, uA.lo} / {@code .hi} (imm 0 or 1). */
    D_UNIFORM,
    /** {@code sr rD, name} (imm = {@link SpecialRegister} ordinal). */
    D_SPECIAL,
    /** {@code op rD, uA, rB, #imm}: a memory access. */
    MEMORY,
    /** {@code op rA}. */
    A
}
