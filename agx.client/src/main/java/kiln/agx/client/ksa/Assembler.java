package kiln.agx.client.ksa;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import kiln.agx.api.isa.Instruction;
import kiln.agx.api.isa.Isa;
import kiln.agx.api.isa.Opcode;
import kiln.agx.api.isa.SpecialRegister;

/** KSA text to program words and back; see the {@linkplain kiln.agx.client.ksa package documentation}. */
public final class Assembler {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Assembler() {
    }

    /**
     * Assembles a program.
     *
     * @throws AssemblyException naming the first bad line
     */
    public static long[] assemble(String source) throws AssemblyException {
        List<Long> words = new ArrayList<>();
        String[] lines = source.split("\\R", -1);
        int depth = 0;
        int lastStopAtDepthZero = -1;
        for (int n = 0; n < lines.length; n++) {
            String line = stripComment(lines[n]).trim();
            if (line.isEmpty()) {
                continue;
            }
            Instruction insn = parse(n + 1, line);
            switch (insn.opcode()) {
                case IF, LOOP -> depth++;
                case ENDIF, ENDLOOP -> depth--;
                default -> { }
            }
            if (depth < 0) {
                throw new AssemblyException(n + 1, insn.opcode().mnemonic() + " closes no block");
            }
            if (insn.opcode() == Opcode.STOP && depth == 0) {
                lastStopAtDepthZero = words.size();
            }
            words.add(insn.encode());
        }
        if (depth != 0) {
            throw new AssemblyException(lines.length, depth + " block(s) left open");
        }
        if (lastStopAtDepthZero != words.size() - 1) {
            throw new AssemblyException(lines.length, "the program must end with stop outside every block");
        }
        if (words.size() > Isa.MAX_PROGRAM_WORDS) {
            throw new AssemblyException(lines.length, "more than " + Isa.MAX_PROGRAM_WORDS + " instructions");
        }
        return words.stream().mapToLong(Long::longValue).toArray();
    }

    /** The words as the bytes the silicon fetches (little-endian). */
    public static MemorySegment toBytes(long[] words) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[words.length * Isa.WORD_BYTES]);
        for (int i = 0; i < words.length; i++) {
            bytes.setAtIndex(WORD, i, words[i]);
        }
        return bytes;
    }

    /** One instruction per line, in the syntax {@link #assemble} reads. */
    public static String disassemble(long[] words) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (long word : words) {
            Instruction insn = Instruction.decode(word);
            Opcode op = insn.opcode();
            if (op == Opcode.ENDIF || op == Opcode.ENDLOOP || op == Opcode.ELSE) {
                depth--;
            }
            text.append("  ".repeat(Math.max(0, depth))).append(insn).append('\n');
            if (op == Opcode.IF || op == Opcode.LOOP || op == Opcode.ELSE) {
                depth++;
            }
        }
        return text.toString();
    }

    private static String stripComment(String line) {
        int semicolon = line.indexOf(';');
        int slashes = line.indexOf("//");
        int cut = semicolon < 0 ? slashes : slashes < 0 ? semicolon : Math.min(semicolon, slashes);
        return cut < 0 ? line : line.substring(0, cut);
    }

    private static Instruction parse(int n, String line) throws AssemblyException {
        String[] head = line.split("\\s+", 2);
        String mnemonic = head[0].toLowerCase(Locale.ROOT);
        Opcode op = Opcode.of(mnemonic);
        if (op == null) {
            throw new AssemblyException(n, "unknown instruction '" + head[0] + "'");
        }
        List<String> operands = new ArrayList<>();
        if (head.length > 1 && !head[1].isBlank()) {
            for (String operand : head[1].split(",")) {
                operands.add(operand.trim());
            }
        }
        Operands o = new Operands(n, op, operands);
        return switch (op.form()) {
            case NONE -> {
                o.count(0);
                yield new Instruction(op, false, 0, 0, 0, 0);
            }
            case D_A -> {
                o.count(2);
                yield new Instruction(op, false, o.register(0), o.register(1), 0, 0);
            }
            case D_IMM -> {
                o.count(2);
                yield new Instruction(op, false, o.register(0), 0, 0, o.immediate(1, false));
            }
            case D_A_B -> {
                o.count(3);
                boolean immediate = operands.get(2).startsWith("#");
                yield new Instruction(op, immediate, o.register(0), o.register(1), immediate ? 0 : o.register(2),
                        immediate ? o.immediate(2, op.isFloat()) : 0);
            }
            case D_A_B_C -> {
                o.count(4);
                yield new Instruction(op, false, o.register(0), o.register(1), o.register(2), o.register(3));
            }
            case D_UNIFORM -> {
                o.count(2);
                String u = operands.get(1).toLowerCase(Locale.ROOT);
                int dot = u.lastIndexOf('.');
                String half = dot < 0 ? "" : u.substring(dot + 1);
                if (!half.equals("lo") && !half.equals("hi")) {
                    throw new AssemblyException(n, "umov needs uN.lo or uN.hi, not '" + operands.get(1) + "'");
                }
                yield new Instruction(op, false, o.register(0), o.uniform(u.substring(0, dot)), 0, half.equals("lo") ? 0 : 1);
            }
            case D_SPECIAL -> {
                o.count(2);
                SpecialRegister sr = SpecialRegister.of(operands.get(1).toLowerCase(Locale.ROOT));
                if (sr == null) {
                    throw new AssemblyException(n, "unknown special register '" + operands.get(1) + "'");
                }
                yield new Instruction(op, false, o.register(0), 0, 0, sr.ordinal());
            }
            case MEMORY -> {
                if (operands.size() != 3 && operands.size() != 4) {
                    throw new AssemblyException(n, op.mnemonic() + " takes rD, uA, rB[, #offset]");
                }
                yield new Instruction(op, false, o.register(0), o.uniform(operands.get(1)), o.register(2),
                        operands.size() == 4 ? o.immediate(3, false) : 0);
            }
            case A -> {
                o.count(1);
                yield new Instruction(op, false, 0, o.register(0), 0, 0);
            }
        };
    }

    /** Operand parsing for one line. */
    private record Operands(int line, Opcode op, List<String> list) {
        void count(int expected) throws AssemblyException {
            if (list.size() != expected) {
                throw new AssemblyException(line, op.mnemonic() + " takes " + expected + " operand(s), got " + list.size());
            }
        }

        int register(int i) throws AssemblyException {
            return number(list.get(i), 'r', Isa.REGISTERS, "register");
        }

        int uniform(String text) throws AssemblyException {
            return number(text, 'u', Isa.UNIFORMS, "uniform");
        }

        private int number(String text, char prefix, int limit, String what) throws AssemblyException {
            String t = text.toLowerCase(Locale.ROOT);
            if (t.length() < 2 || t.charAt(0) != prefix) {
                throw new AssemblyException(line, "expected a " + what + " (" + prefix + "0.." + prefix + (limit - 1)
                        + "), got '" + text + "'");
            }
            try {
                int n = Integer.parseInt(t.substring(1));
                if (n >= 0 && n < limit) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new AssemblyException(line, "no " + what + " '" + text + "' (" + prefix + "0.." + prefix + (limit - 1) + ")");
        }

        int immediate(int i, boolean asFloat) throws AssemblyException {
            String text = list.get(i);
            if (!text.startsWith("#")) {
                throw new AssemblyException(line, "expected an immediate (#value), got '" + text + "'");
            }
            String v = text.substring(1).trim().toLowerCase(Locale.ROOT);
            try {
                if (asFloat) {
                    return Float.floatToRawIntBits(Float.parseFloat(v));
                }
                boolean negative = v.startsWith("-");
                String digits = negative ? v.substring(1) : v;
                long value = digits.startsWith("0x") ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
                value = negative ? -value : value;
                if (value < Integer.MIN_VALUE || value > 0xffff_ffffL) {
                    throw new AssemblyException(line, "immediate " + text + " does not fit 32 bits");
                }
                return (int) value;
            } catch (NumberFormatException e) {
                throw new AssemblyException(line, "bad " + (asFloat ? "float" : "integer") + " immediate '" + text + "'");
            }
        }
    }
}
