package kiln.agx.api.isa;

/**
 * One decoded KSA instruction word; see the {@linkplain kiln.agx.api.isa package documentation}
 * for the encoding.
 *
 * @param opcode     the operation
 * @param immediateB whether operand b is {@code imm}
 * @param d          destination (or stored value) register
 * @param a          first source register (uniform for memory and {@code umov})
 * @param b          second source register
 * @param imm        the immediate (third register in [7:0] for three-source forms)
 */
public record Instruction(Opcode opcode, boolean immediateB, int d, int a, int b, int imm) {
    public Instruction {
        if (d < 0 || d > 255 || a < 0 || a > 255 || b < 0 || b > 255) {
            throw new IllegalArgumentException("operand field out of range");
        }
    }

    /** The 64-bit word. */
    public long encode() {
        return (opcode.code() | (immediateB ? Isa.IMMEDIATE_B : 0)) | d << 8 | a << 16 | (long) b << 24
                | (long) imm << 32;
    }

    /**
     * Decodes a word.
     *
     * @throws IllegalArgumentException for an undefined opcode, a register past 63, or an
     *                                  immediate flag the opcode does not take
     */
    public static Instruction decode(long word) {
        int raw = (int) word & 0xff;
        Opcode op = Opcode.of(raw & 0x7f);
        if (op == null) {
            throw new IllegalArgumentException(String.format("undefined opcode 0x%02x", raw & 0x7f));
        }
        boolean immediate = (raw & Isa.IMMEDIATE_B) != 0;
        if (immediate && !op.acceptsImmediateB()) {
            throw new IllegalArgumentException(op.mnemonic() + " takes no immediate operand b");
        }
        Instruction insn = new Instruction(op, immediate, (int) (word >>> 8) & 0xff, (int) (word >>> 16) & 0xff,
                (int) (word >>> 24) & 0xff, (int) (word >>> 32));
        insn.checkRegisters();
        return insn;
    }

    private void checkRegisters() {
        int max = Isa.REGISTERS - 1;
        boolean ok = switch (opcode.form()) {
            case NONE -> true;
            case D_A -> d <= max && a <= max;
            case D_IMM -> d <= max;
            case D_A_B -> d <= max && a <= max && (immediateB || b <= max);
            case D_A_B_C -> d <= max && a <= max && b <= max && (imm & 0xff) <= max && (imm >>> 8) == 0;
            case D_UNIFORM -> d <= max && a < Isa.UNIFORMS && (imm == 0 || imm == 1);
            case D_SPECIAL -> d <= max && SpecialRegister.of(imm) != null;
            case MEMORY -> d <= max && a < Isa.UNIFORMS && b <= max;
            case A -> a <= max;
        };
        if (!ok) {
            throw new IllegalArgumentException("operand out of range in " + this);
        }
    }

    /** The instruction in assembler syntax. */
    @Override
    public String toString() {
        String m = opcode.mnemonic();
        String bOperand = immediateB ? "#" + (opcode.isFloat() ? Float.toString(Float.intBitsToFloat(imm))
                : Integer.toString(imm)) : "r" + b;
        return switch (opcode.form()) {
            case NONE -> m;
            case D_A -> m + " r" + d + ", r" + a;
            case D_IMM -> m + " r" + d + ", #" + imm;
            case D_A_B -> m + " r" + d + ", r" + a + ", " + bOperand;
            case D_A_B_C -> m + " r" + d + ", r" + a + ", r" + b + ", r" + (imm & 0xff);
            case D_UNIFORM -> m + " r" + d + ", u" + a + (imm == 0 ? ".lo" : ".hi");
            case D_SPECIAL -> {
                SpecialRegister sr = SpecialRegister.of(imm);
                yield m + " r" + d + ", " + (sr == null ? "?" + imm : sr.mnemonic());
            }
            case MEMORY -> m + " r" + d + ", u" + a + ", r" + b + ", #" + imm;
            case A -> m + " r" + a;
        };
    }
}
