/**
 * The KSA assembler: turns the text form of {@link kiln.agx.api.isa the Kiln shader ISA} into
 * program words, and back.
 *
 * <h2>Syntax</h2>
 * One instruction per line: a mnemonic, then operands separated by commas. {@code ;} or
 * {@code //} start a comment. Registers are {@code r0..r63}; uniforms {@code u0..u63}
 * ({@code umov} takes {@code uN.lo} or {@code uN.hi}); special registers by name
 * ({@code gid.x}, {@code tid.y}, {@code wg.z}, {@code lane}...); immediates start with
 * {@code #} and are decimal, {@code 0x} hexadecimal, or for float instructions a float literal
 * ({@code #0.5}, {@code #-2}). A memory access is {@code ld rD, uA, rB} with an optional byte
 * offset {@code , #imm}. The program must end with a {@code stop} outside every block, and
 * every block must close, exactly as the silicon's decoder demands.
 *
 * <pre>
 * ; y[i] = a * x[i] + y[i]   (u0 = x, u1 = y, u2.lo = n, u3.lo = a as float bits)
 *     sr    r0, gid.x
 *     umov  r1, u2.lo
 *     ilt   r2, r0, r1
 *     if    r2
 *       ld    r3, u0, r0
 *       ld    r4, u1, r0
 *       umov  r5, u3.lo
 *       fma   r4, r5, r3, r4
 *       st    r4, u1, r0
 *     endif
 *     stop
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.agx.client.ksa;
