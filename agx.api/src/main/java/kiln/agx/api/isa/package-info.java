/**
 * KSA, the Kiln shader ISA: the instruction set the simulated USC cores execute. Apple's real
 * shader ISA is proprietary and only partly reverse-engineered, so KSA is Kiln's own, kept small
 * and shaped like the real machine where that matters: 32-wide SIMD groups, 64-bit device
 * addresses held in uniform registers, and structured control flow driven by execution masks
 * (AGX's {@code if_icmp}/{@code pop_exec} style) instead of arbitrary jumps.
 *
 * <h2>Execution model</h2>
 * A dispatch runs a grid of workgroups ({@code grid} counts workgroups per dimension); each
 * workgroup has {@code size.x * size.y * size.z} threads (at most {@link kiln.agx.api.isa.Isa#MAX_WORKGROUP_THREADS}).
 * Threads are numbered linearly, x fastest, and run in SIMD groups of {@link kiln.agx.api.isa.Isa#SIMD_WIDTH}
 * lanes executing each instruction together; lanes past the end of the workgroup start
 * inactive. Workgroups are independent and may run in any order on any core: a program whose
 * result depends on that order (two workgroups writing one word) is racy and its result is
 * undefined, as on any GPU. Everything else is exact and the same on every chip.
 *
 * <h2>State</h2>
 * Each thread has {@link kiln.agx.api.isa.Isa#REGISTERS} 32-bit registers {@code r0..r63}, all
 * zero at start, holding integers (two's complement) or IEEE-754 binary32 floats; the opcode
 * says which. A dispatch has {@link kiln.agx.api.isa.Isa#UNIFORMS} read-only 64-bit uniforms
 * {@code u0..u63}, loaded from the dispatch's uniform buffer (uniforms past its length are 0).
 *
 * <h2>Encoding</h2>
 * One instruction is one little-endian 64-bit word: opcode [7:0], d [15:8], a [23:16], b [31:24],
 * imm [63:32]. Bit 7 of the opcode ({@link kiln.agx.api.isa.Isa#IMMEDIATE_B}) makes a binary
 * ALU or compare instruction take {@code imm} in place of {@code r[b]} (float instructions read
 * it as float bits). Three-source instructions name their third register in imm [7:0]. A program
 * is a sequence of words ending with {@code stop}; it is fetched from GPU memory through the UAT.
 * An undefined opcode, a register number past 63, an immediate flag on an instruction without a
 * b operand, or unbalanced control flow make the program illegal: the dispatch fails before any
 * thread runs.
 *
 * <h2>Instructions</h2>
 * See {@link kiln.agx.api.isa.Opcode} for every instruction with its semantics. Integer arithmetic
 * wraps; division by zero gives 0 and the remainder of a division by zero is the dividend
 * ({@code MIN / -1} wraps to {@code MIN}). Shifts use the low 5 bits of the count. Float
 * arithmetic rounds to nearest even, {@code fma} rounds once; {@code f2i} truncates toward zero,
 * saturates, and turns NaN into 0. Compares write 1 or 0.
 *
 * <h2>Memory</h2>
 * {@code ld d, uA, rB, #imm} reads the 32-bit word at {@code u[A] + sext(r[B]) * 4 + imm};
 * {@code st} writes one. Addresses must be 4-byte aligned (a misaligned access fails the
 * dispatch). Every access is translated by the UAT in the dispatch's VM context with the GPU's
 * permissions; a refused access stops the dispatch with the UAT's fault, latched in
 * {@code FAULT_INFO}. Stores of one lane become visible to later loads of the same lane; other
 * lanes and workgroups see them in no particular order.
 *
 * <h2>Control flow</h2>
 * {@code if rA} runs the following instructions only in lanes where {@code r[A] != 0};
 * {@code else} flips to the lanes of the enclosing mask that failed the test; {@code endif}
 * restores the mask. {@code loop ... endloop} repeats its body while any lane is still in the
 * loop; {@code break rA} takes lanes with {@code r[A] != 0} out of the innermost loop until its
 * {@code endloop}. {@code stop} ends the active lanes; the SIMD group ends when no lane is left or
 * at the program's last instruction. Blocks nest up to {@link kiln.agx.api.isa.Isa#MAX_NESTING}
 * deep.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.agx.api.isa;
