package kiln.agx.client.ksa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kiln.agx.api.isa.Instruction;
import kiln.agx.api.isa.Opcode;

class AssemblerTest {
    private static final String EVERY_FORM = """
            ; one of each operand form
            nop
            mov r1, r2
            movi r3, #-7
            movi r4, #0xffffffff
            umov r5, u6.hi
            sr r7, gid.y
            iadd r8, r9, r10
            iadd r8, r9, #12
            fadd r1, r2, #0.5      // a float immediate
            fma r1, r2, r3, r4
            sel r5, r6, r7, r8
            ld r1, u2, r3
            st r4, u5, r6, #-8
            loop
              if r1
                break r2
              else
                iadd r2, r2, #1
              endif
            endloop
            stop
            """;

    @Test
    void assemblesEveryFormAndDisassemblesToTheSameWords() throws AssemblyException {
        long[] words = Assembler.assemble(EVERY_FORM);
        assertEquals(21, words.length);
        Instruction fadd = Instruction.decode(words[8]);
        assertTrue(fadd.immediateB());
        assertEquals(0.5f, Float.intBitsToFloat(fadd.imm()));
        assertEquals(-8, Instruction.decode(words[12]).imm());
        assertEquals(-1, Instruction.decode(words[3]).imm());
        String text = Assembler.disassemble(words);
        assertArrayEquals(words, Assembler.assemble(text), text);
    }

    @Test
    void everyOpcodeHasAMnemonicTheAssemblerKnows() {
        Set<Opcode> seen = EnumSet.noneOf(Opcode.class);
        for (Opcode op : Opcode.values()) {
            assertEquals(op, Opcode.of(op.mnemonic()));
            assertEquals(op, Opcode.of(op.code()));
            seen.add(op);
        }
        assertEquals(Opcode.values().length, seen.size());
    }

    @Test
    void badLinesAreReportedWithTheirNumber() {
        assertLine(2, "nop\nfrob r1\nstop", "unknown instruction");
        assertLine(1, "iadd r1, r2\nstop", "takes 3");
        assertLine(1, "mov r64, r1\nstop", "no register");
        assertLine(1, "iadd r1, r2, #1.5\nstop", "bad integer");
        assertLine(1, "umov r1, u2\nstop", "uN.lo");
        assertLine(1, "sr r1, warp\nstop", "special register");
        assertLine(1, "endif\nstop", "closes no block");
        assertLine(2, "if r1\nstop", "left open");
        assertLine(2, "nop\nnop", "must end with stop");
        assertLine(1, "movi r1, #0x1ffffffff\nstop", "32 bits");
    }

    private static void assertLine(int line, String source, String message) {
        AssemblyException e = assertThrows(AssemblyException.class, () -> Assembler.assemble(source));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
