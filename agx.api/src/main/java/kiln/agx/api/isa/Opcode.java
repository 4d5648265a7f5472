package kiln.agx.api.isa;

/**
 * Every KSA instruction: its code, assembler mnemonic and operands. Semantics per lane, with
 * {@code b} meaning {@code r[b]} or the immediate; see the {@linkplain kiln.agx.api.isa package
 * documentation} for the rules shared by all.
 */
public enum Opcode {
    /** Nothing. */
    NOP(0x00, "nop", Form.NONE),
    /** End the active lanes. */
    STOP(0x01, "stop", Form.NONE),
    /** {@code d = a}. */
    MOV(0x02, "mov", Form.D_A),
    /** {@code d = imm}. */
    MOVI(0x03, "movi", Form.D_IMM),
    /** {@code d = low or high 32 bits of uniform a}. */
    UMOV(0x04, "umov", Form.D_UNIFORM),
    /** {@code d = special register}. */
    SR(0x05, "sr", Form.D_SPECIAL),

    /** Integer {@code d = a + b}. */
    IADD(0x10, "iadd", Form.D_A_B),
    /** Integer {@code d = a - b}. */
    ISUB(0x11, "isub", Form.D_A_B),
    /** Integer {@code d = a * b} (low 32 bits). */
    IMUL(0x12, "imul", Form.D_A_B),
    /** Signed {@code d = a / b}, toward zero; 0 when b is 0. */
    IDIV(0x13, "idiv", Form.D_A_B),
    /** Signed remainder {@code d = a % b}; a when b is 0. */
    IREM(0x14, "irem", Form.D_A_B),
    /** {@code d = a & b}. */
    AND(0x15, "and", Form.D_A_B),
    /** {@code d = a | b}. */
    OR(0x16, "or", Form.D_A_B),
    /** {@code d = a ^ b}. */
    XOR(0x17, "xor", Form.D_A_B),
    /** {@code d = a << (b & 31)}. */
    SHL(0x18, "shl", Form.D_A_B),
    /** Logical {@code d = a >>> (b & 31)}. */
    SHR(0x19, "shr", Form.D_A_B),
    /** Arithmetic {@code d = a >> (b & 31)}. */
    SAR(0x1a, "sar", Form.D_A_B),
    /** Signed minimum. */
    IMIN(0x1b, "imin", Form.D_A_B),
    /** Signed maximum. */
    IMAX(0x1c, "imax", Form.D_A_B),

    /** Float {@code d = a + b}. */
    FADD(0x20, "fadd", Form.D_A_B),
    /** Float {@code d = a - b}. */
    FSUB(0x21, "fsub", Form.D_A_B),
    /** Float {@code d = a * b}. */
    FMUL(0x22, "fmul", Form.D_A_B),
    /** Float {@code d = a / b}. */
    FDIV(0x23, "fdiv", Form.D_A_B),
    /** Float minimum ({@link Math#min(float, float)}: NaN wins, -0 below +0). */
    FMIN(0x24, "fmin", Form.D_A_B),
    /** Float maximum ({@link Math#max(float, float)}). */
    FMAX(0x25, "fmax", Form.D_A_B),
    /** Float {@code d = |a|}. */
    FABS(0x28, "fabs", Form.D_A),
    /** Float {@code d = -a}. */
    FNEG(0x29, "fneg", Form.D_A),
    /** Float {@code d = sqrt(a)}, correctly rounded. */
    FSQRT(0x2a, "fsqrt", Form.D_A),
    /** Float {@code d = floor(a)}. */
    FFLOOR(0x2b, "ffloor", Form.D_A),
    /** {@code d = (float) a}, a signed. */
    I2F(0x2c, "i2f", Form.D_A),
    /** {@code d = (int) a}: toward zero, saturating, NaN to 0. */
    F2I(0x2d, "f2i", Form.D_A),
    /** Float {@code d = a * b + c}, rounded once. */
    FMA(0x30, "fma", Form.D_A_B_C),
    /** {@code d = c != 0 ? a : b}. */
    SEL(0x31, "sel", Form.D_A_B_C),

    /** {@code d = a == b}. */
    IEQ(0x40, "ieq", Form.D_A_B),
    /** {@code d = a != b}. */
    INE(0x41, "ine", Form.D_A_B),
    /** Signed {@code d = a < b}. */
    ILT(0x42, "ilt", Form.D_A_B),
    /** Signed {@code d = a <= b}. */
    ILE(0x43, "ile", Form.D_A_B),
    /** Signed {@code d = a > b}. */
    IGT(0x44, "igt", Form.D_A_B),
    /** Signed {@code d = a >= b}. */
    IGE(0x45, "ige", Form.D_A_B),
    /** Unsigned {@code d = a < b}. */
    ULT(0x46, "ult", Form.D_A_B),
    /** Unsigned {@code d = a >= b}. */
    UGE(0x47, "uge", Form.D_A_B),
    /** Float {@code d = a == b} (false with NaN). */
    FEQ(0x48, "feq", Form.D_A_B),
    /** Float {@code d = a != b} (true with NaN). */
    FNE(0x49, "fne", Form.D_A_B),
    /** Float {@code d = a < b}. */
    FLT(0x4a, "flt", Form.D_A_B),
    /** Float {@code d = a <= b}. */
    FLE(0x4b, "fle", Form.D_A_B),
    /** Float {@code d = a > b}. */
    FGT(0x4c, "fgt", Form.D_A_B),
    /** Float {@code d = a >= b}. */
    FGE(0x4d, "fge", Form.D_A_B),

    /** {@code d = word at u[a] + sext(r[b]) * 4 + imm}. */
    LD(0x50, "ld", Form.MEMORY),
    /** {@code word at u[a] + sext(r[b]) * 4 + imm = r[d]}. */
    ST(0x51, "st", Form.MEMORY),

    /** Narrow the mask to lanes with {@code r[a] != 0}. */
    IF(0x60, "if", Form.A),
    /** Switch to the enclosing mask's lanes that failed the {@code if}. */
    ELSE(0x61, "else", Form.NONE),
    /** Restore the mask from before the {@code if}. */
    ENDIF(0x62, "endif", Form.NONE),
    /** Begin a loop. */
    LOOP(0x63, "loop", Form.NONE),
    /** Take lanes with {@code r[a] != 0} out of the innermost loop. */
    BREAK(0x64, "break", Form.A),
    /** Repeat the loop while any lane is in it; then restore the mask from before {@code loop}. */
    ENDLOOP(0x65, "endloop", Form.NONE);

    private static final Opcode[] BY_CODE = new Opcode[128];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final String mnemonic;
    private final Form form;

    Opcode(int code, String mnemonic, Form form) {
        this.code = code;
        this.mnemonic = mnemonic;
        this.form = form;
    }

    /** The 7-bit code (without {@link Isa#IMMEDIATE_B}). */
    public int code() {
        return code;
    }

    /** The assembler mnemonic. */
    public String mnemonic() {
        return mnemonic;
    }

    /** The operands. */
    public Form form() {
        return form;
    }

    /** Whether operand b may be the immediate. */
    public boolean acceptsImmediateB() {
        return form == Form.D_A_B;
    }

    /** Whether b and imm are floats. */
    public boolean isFloat() {
        return (code >= 0x20 && code <= 0x30) || (code >= FEQ.code && code <= FGE.code);
    }

    /** The opcode for a 7-bit code, or {@code null}. */
    public static Opcode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The opcode for a mnemonic, or {@code null}. */
    public static Opcode of(String mnemonic) {
        for (Opcode op : values()) {
            if (op.mnemonic.equals(mnemonic)) {
                return op;
            }
        }
        return null;
    }
}
