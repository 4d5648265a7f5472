package kiln.agx.silicon.impl.usc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

import kiln.agx.api.isa.Instruction;
import kiln.agx.api.isa.Isa;
import kiln.agx.api.isa.Opcode;

/**
 * A validated, pre-decoded KSA program, laid out for the interpreter: one array per field,
 * register numbers turned into offsets in the lane-major register file by {@link #scaled}, immediate
 * b operands turned into constant registers (numbered after the named ones, filled once per
 * executor), and
 * every control-flow instruction linked to its partner.
 */
public final class Program {
    final int length;
    /** Lanes per register in the interpreter's register file: register offsets are scaled by it. */
    final int stride;
    final int[] op;
    final int[] d;
    final int[] a;
    final int[] b;
    final int[] c;
    final int[] imm;
    /** The register-to-register loop of each instruction, or {@code null}. */
    final Alu[] alu;
    /** IF: its ELSE or ENDIF; ELSE: ENDIF; LOOP: ENDLOOP; ENDLOOP: LOOP. */
    final int[] target;
    /** Registers the program touches, constants included. */
    final int registerCount;
    /** Registers a thread's inputs may be preset in ({@link UscCore#runThreads}); constants come after them. */
    static final int PRESET_REGISTERS = 9;
    /** The register the first constant lives in. */
    final int firstConstant;
    /** Registers {@code r0..} the program names. */
    final int namedRegisters;
    /**
     * Registers the program may read before it has written them (they must start at 0); the
     * others need no clearing between batches. See {@link #readBeforeWritten}.
     */
    final int[] zeroRegisters;
    final int[] constants;

    private Program(int length) {
        this.length = length;
        this.stride = 1;
        op = new int[length];
        d = new int[length];
        a = new int[length];
        b = new int[length];
        c = new int[length];
        imm = new int[length];
        alu = new Alu[length];
        target = new int[length];
        registerCount = 0;
        firstConstant = 0;
        namedRegisters = 0;
        zeroRegisters = null;
        constants = null;
    }

    private Program(Program p, int registerCount, int namedRegisters, int[] zeroRegisters, int[] constants) {
        this(p, 1, p.d, p.a, p.b, p.c, registerCount, namedRegisters, zeroRegisters, constants,
                registerCount - constants.length);
    }

    private Program(Program p, int stride, int[] d, int[] a, int[] b, int[] c, int registerCount, int namedRegisters,
            int[] zeroRegisters, int[] constants, int firstConstant) {
        this.length = p.length;
        this.stride = stride;
        this.op = p.op;
        this.d = d;
        this.a = a;
        this.b = b;
        this.c = c;
        this.imm = p.imm;
        this.alu = p.alu;
        this.target = p.target;
        this.registerCount = registerCount;
        this.namedRegisters = namedRegisters;
        this.zeroRegisters = zeroRegisters;
        this.constants = constants;
        this.firstConstant = firstConstant;
    }

    /** The program with register (and uniform) numbers scaled to offsets for batches of {@code lanes}. */
    public Program scaled(int lanes) {
        if (stride != 1) {
            throw new IllegalStateException("already scaled");
        }
        return new Program(this, lanes, scale(d, lanes), scale(a, lanes), scale(b, lanes), scale(c, lanes), registerCount,
                namedRegisters, zeroRegisters, constants, firstConstant);
    }

    private static int[] scale(int[] numbers, int lanes) {
        int[] scaled = new int[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            scaled[i] = numbers[i] * lanes;
        }
        return scaled;
    }

    /** Instructions in the program, the final {@code stop} included. */
    public int length() {
        return length;
    }

    /**
     * Decodes words fetched one by one until the first {@code stop} outside every block.
     *
     * @param fetch returns word {@code i}; may throw (a fault) and the decode stops with it
     * @throws IllegalProgramException if the program is not legal KSA
     */
    public static Program decode(IntToLongFunction fetch) {
        List<Instruction> insns = new ArrayList<>();
        int depth = 0;
        while (true) {
            if (insns.size() == Isa.MAX_PROGRAM_WORDS) {
                throw new IllegalProgramException("no stop within " + Isa.MAX_PROGRAM_WORDS + " instructions");
            }
            Instruction insn;
            try {
                insn = Instruction.decode(fetch.applyAsLong(insns.size()));
            } catch (IllegalArgumentException e) {
                throw new IllegalProgramException("at " + insns.size() + ": " + e.getMessage());
            }
            insns.add(insn);
            switch (insn.opcode()) {
                case IF, LOOP -> depth++;
                case ENDIF, ENDLOOP -> depth--;
                default -> { }
            }
            if (depth < 0) {
                throw new IllegalProgramException("at " + (insns.size() - 1) + ": " + insn.opcode().mnemonic()
                        + " closes no block");
            }
            if (insn.opcode() == Opcode.STOP && depth == 0) {
                break;
            }
        }
        return link(insns);
    }

    private static Program link(List<Instruction> insns) {
        Program p = new Program(insns.size());
        int[] stack = new int[Isa.MAX_NESTING];
        int sp = 0;
        List<Integer> constants = new ArrayList<>();
        int maxRegister = -1;
        for (int i = 0; i < insns.size(); i++) {
            Instruction insn = insns.get(i);
            Opcode opcode = insn.opcode();
            p.op[i] = opcode.code();
            p.alu[i] = Alu.of(opcode.code());
            p.d[i] = insn.d();
            p.a[i] = insn.a();
            p.b[i] = insn.b();
            p.c[i] = insn.imm() & 0xff;
            p.imm[i] = insn.imm();
            maxRegister = Math.max(maxRegister, registersOf(insn));
            if (insn.immediateB()) {
                int index = constants.indexOf(insn.imm());
                if (index < 0) {
                    index = constants.size();
                    constants.add(insn.imm());
                }
                p.b[i] = -1 - index; // a constant register, numbered once the named ones are known
            }
            switch (opcode) {
                case IF, LOOP -> {
                    if (sp == Isa.MAX_NESTING) {
                        throw new IllegalProgramException("at " + i + ": blocks nested deeper than " + Isa.MAX_NESTING);
                    }
                    stack[sp++] = i;
                }
                case ELSE -> {
                    if (sp == 0 || insns.get(stack[sp - 1]).opcode() != Opcode.IF) {
                        throw new IllegalProgramException("at " + i + ": else outside if");
                    }
                    p.target[stack[sp - 1]] = i;
                    stack[sp - 1] = i;
                }
                case ENDIF -> {
                    Opcode open = sp == 0 ? null : insns.get(stack[sp - 1]).opcode();
                    if (open != Opcode.IF && open != Opcode.ELSE) {
                        throw new IllegalProgramException("at " + i + ": endif without if");
                    }
                    p.target[stack[--sp]] = i;
                }
                case ENDLOOP -> {
                    if (sp == 0 || insns.get(stack[sp - 1]).opcode() != Opcode.LOOP) {
                        throw new IllegalProgramException("at " + i + ": endloop without loop");
                    }
                    int loop = stack[--sp];
                    p.target[loop] = i;
                    p.target[i] = loop;
                }
                case BREAK -> {
                    boolean inLoop = false;
                    for (int f = sp - 1; f >= 0 && !inLoop; f--) {
                        inLoop = insns.get(stack[f]).opcode() == Opcode.LOOP;
                    }
                    if (!inLoop) {
                        throw new IllegalProgramException("at " + i + ": break outside loop");
                    }
                }
                default -> { }
            }
        }
        if (sp != 0) {
            throw new IllegalProgramException("unclosed block at " + stack[sp - 1]);
        }
        int[] constantValues = constants.stream().mapToInt(Integer::intValue).toArray();
        // Constant registers follow the named ones (and the ones runThreads presets), keeping the
        // register file as small as the program: it is allocated and cleared per core.
        int firstConstant = Math.max(maxRegister + 1, PRESET_REGISTERS);
        for (int i = 0; i < p.length; i++) {
            if (insns.get(i).immediateB()) {
                p.b[i] = firstConstant + (-1 - p.b[i]);
            }
        }
        int registerCount = constants.isEmpty() ? maxRegister + 1 : firstConstant + constantValues.length;
        return new Program(p, Math.max(1, registerCount), maxRegister + 1, readBeforeWritten(insns), constantValues);
    }

    /**
     * The registers some lane may read before it wrote them. A write counts for later reads in
     * its own block and the blocks inside it, not after the block ends (lanes that skipped the
     * block did not write) nor in an {@code else} (other lanes); a read earlier in a loop body
     * than the write (a value carried between iterations) needs the initial 0.
     */
    private static int[] readBeforeWritten(List<Instruction> insns) {
        boolean[] needsZero = new boolean[Isa.REGISTERS];
        List<java.util.BitSet> written = new ArrayList<>();
        written.add(new java.util.BitSet());
        for (Instruction insn : insns) {
            for (int reg : reads(insn)) {
                boolean defined = false;
                for (java.util.BitSet block : written) {
                    defined |= block.get(reg);
                }
                needsZero[reg] |= !defined;
            }
            switch (insn.opcode()) {
                case IF, LOOP -> written.add(new java.util.BitSet());
                case ELSE -> written.getLast().clear();
                case ENDIF, ENDLOOP -> written.removeLast();
                default -> {
                    if (writesD(insn)) {
                        written.getLast().set(insn.d());
                    }
                }
            }
        }
        return java.util.stream.IntStream.range(0, Isa.REGISTERS).filter(r -> needsZero[r]).toArray();
    }

    private static int[] reads(Instruction insn) {
        int c = insn.imm() & 0xff;
        return switch (insn.opcode().form()) {
            case NONE, D_IMM, D_UNIFORM, D_SPECIAL -> new int[0];
            case D_A, A -> new int[] {insn.a()};
            case D_A_B -> insn.immediateB() ? new int[] {insn.a()} : new int[] {insn.a(), insn.b()};
            case D_A_B_C -> new int[] {insn.a(), insn.b(), c};
            case MEMORY -> insn.opcode() == Opcode.ST ? new int[] {insn.b(), insn.d()} : new int[] {insn.b()};
        };
    }

    private static boolean writesD(Instruction insn) {
        return switch (insn.opcode().form()) {
            case NONE, A -> false;
            case MEMORY -> insn.opcode() == Opcode.LD;
            default -> true;
        };
    }

    private static int registersOf(Instruction insn) {
        return switch (insn.opcode().form()) {
            case NONE -> -1;
            case D_A -> Math.max(insn.d(), insn.a());
            case D_IMM, D_UNIFORM, D_SPECIAL -> insn.d();
            case D_A_B -> Math.max(insn.d(), Math.max(insn.a(), insn.immediateB() ? 0 : insn.b()));
            case D_A_B_C -> Math.max(Math.max(insn.d(), insn.a()), Math.max(insn.b(), insn.imm() & 0xff));
            case MEMORY -> Math.max(insn.d(), insn.b());
            case A -> insn.a();
        };
    }
}
