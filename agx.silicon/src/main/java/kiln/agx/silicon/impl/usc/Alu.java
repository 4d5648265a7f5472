package kiln.agx.silicon.impl.usc;

import kiln.agx.api.isa.Opcode;

/**
 * The register-to-register instructions, one loop over the batch each. Each is its own class
 * so the interpreter's call through {@link #run} stays a virtual call: C2 then compiles (and
 * vectorises) every loop on its own, where inlining some forty loops into one method would
 * exhaust its node budget and leave them all scalar.
 */
enum Alu {
    /** {@code iadd}. */
    IADD(Opcode.IADD) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] + r[b + l];
            }
        }
    },
    /** {@code isub}. */
    ISUB(Opcode.ISUB) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] - r[b + l];
            }
        }
    },
    /** {@code imul}. */
    IMUL(Opcode.IMUL) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] * r[b + l];
            }
        }
    },
    /** {@code idiv}. */
    IDIV(Opcode.IDIV) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = div(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code irem}. */
    IREM(Opcode.IREM) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = rem(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code and}. */
    AND(Opcode.AND) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] & r[b + l];
            }
        }
    },
    /** {@code or}. */
    OR(Opcode.OR) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] | r[b + l];
            }
        }
    },
    /** {@code xor}. */
    XOR(Opcode.XOR) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] ^ r[b + l];
            }
        }
    },
    /** {@code shl}. */
    SHL(Opcode.SHL) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] << r[b + l];
            }
        }
    },
    /** {@code shr}. */
    SHR(Opcode.SHR) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] >>> r[b + l];
            }
        }
    },
    /** {@code sar}. */
    SAR(Opcode.SAR) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] >> r[b + l];
            }
        }
    },
    /** {@code imin}. */
    IMIN(Opcode.IMIN) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = Math.min(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code imax}. */
    IMAX(Opcode.IMAX) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = Math.max(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code fadd}. */
    FADD(Opcode.FADD) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(f(r[a + l]) + f(r[b + l]));
            }
        }
    },
    /** {@code fsub}. */
    FSUB(Opcode.FSUB) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(f(r[a + l]) - f(r[b + l]));
            }
        }
    },
    /** {@code fmul}. */
    FMUL(Opcode.FMUL) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(f(r[a + l]) * f(r[b + l]));
            }
        }
    },
    /** {@code fdiv}. */
    FDIV(Opcode.FDIV) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(f(r[a + l]) / f(r[b + l]));
            }
        }
    },
    /** {@code fmin}. */
    FMIN(Opcode.FMIN) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(Math.min(f(r[a + l]), f(r[b + l])));
            }
        }
    },
    /** {@code fmax}. */
    FMAX(Opcode.FMAX) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(Math.max(f(r[a + l]), f(r[b + l])));
            }
        }
    },
    /** {@code fabs}. */
    FABS(Opcode.FABS) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] & 0x7fff_ffff;
            }
        }
    },
    /** {@code fneg}. */
    FNEG(Opcode.FNEG) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[a + l] ^ 0x8000_0000;
            }
        }
    },
    /** {@code fsqrt}. */
    FSQRT(Opcode.FSQRT) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits((float) Math.sqrt(f(r[a + l])));
            }
        }
    },
    /** {@code ffloor}. */
    FFLOOR(Opcode.FFLOOR) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits((float) Math.floor(f(r[a + l])));
            }
        }
    },
    /** {@code i2f}. */
    I2F(Opcode.I2F) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits((float) r[a + l]);
            }
        }
    },
    /** {@code f2i}. */
    F2I(Opcode.F2I) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = (int) f(r[a + l]);
            }
        }
    },
    /** {@code ieq}. */
    IEQ(Opcode.IEQ) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = 1 - (((r[a + l] ^ r[b + l]) | -(r[a + l] ^ r[b + l])) >>> 31);
            }
        }
    },
    /** {@code ine}. */
    INE(Opcode.INE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = ((r[a + l] ^ r[b + l]) | -(r[a + l] ^ r[b + l])) >>> 31;
            }
        }
    },
    /** {@code ilt}. */
    ILT(Opcode.ILT) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = lessThan(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code ile}. */
    ILE(Opcode.ILE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = 1 - lessThan(r[b + l], r[a + l]);
            }
        }
    },
    /** {@code igt}. */
    IGT(Opcode.IGT) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = lessThan(r[b + l], r[a + l]);
            }
        }
    },
    /** {@code ige}. */
    IGE(Opcode.IGE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = 1 - lessThan(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code ult}. */
    ULT(Opcode.ULT) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = unsignedLessThan(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code uge}. */
    UGE(Opcode.UGE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = 1 - unsignedLessThan(r[a + l], r[b + l]);
            }
        }
    },
    /** {@code feq}. */
    FEQ(Opcode.FEQ) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = f(r[a + l]) == f(r[b + l]) ? 1 : 0;
            }
        }
    },
    /** {@code fne}. */
    FNE(Opcode.FNE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = f(r[a + l]) != f(r[b + l]) ? 1 : 0;
            }
        }
    },
    /** {@code flt}. */
    FLT(Opcode.FLT) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = f(r[a + l]) < f(r[b + l]) ? 1 : 0;
            }
        }
    },
    /** {@code fle}. */
    FLE(Opcode.FLE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = f(r[a + l]) <= f(r[b + l]) ? 1 : 0;
            }
        }
    },
    /** {@code fgt}. */
    FGT(Opcode.FGT) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = f(r[a + l]) > f(r[b + l]) ? 1 : 0;
            }
        }
    },
    /** {@code fge}. */
    FGE(Opcode.FGE) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = f(r[a + l]) >= f(r[b + l]) ? 1 : 0;
            }
        }
    },
    /** {@code mov}. */
    MOV(Opcode.MOV) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            System.arraycopy(r, a, out, 0, w);
        }
    },
    /** {@code fma}: rounded once. */
    FMA(Opcode.FMA) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = fbits(Math.fma(f(r[a + l]), f(r[b + l]), f(r[c + l])));
            }
        }
    },
    /** {@code sel}. */
    SEL(Opcode.SEL) {
        @Override
        void run(int[] r, int a, int b, int c, int[] out, int w) {
            for (int l = 0; l < w; l++) {
                out[l] = r[c + l] != 0 ? r[a + l] : r[b + l];
            }
        }
    };

    private static final Alu[] BY_CODE = new Alu[128];

    static {
        for (Alu alu : values()) {
            BY_CODE[alu.opcode.code()] = alu;
        }
    }

    private final Opcode opcode;

    Alu(Opcode opcode) {
        this.opcode = opcode;
    }

    /** The loop for a 7-bit opcode, or {@code null} if the opcode is not a register-to-register one. */
    static Alu of(int code) {
        return BY_CODE[code];
    }

    /**
     * Computes {@code out[l] = op(r[a + l], r[b + l], r[c + l])} for {@code l < w}; a, b and c
     * are register offsets, {@code out} never aliases {@code r}.
     */
    abstract void run(int[] r, int a, int b, int c, int[] out, int w);

    /**
     * Signed {@code x < y} as 0 or 1 without a branch or a conditional move (Hacker's Delight
     * 2-12), so C2 can vectorise the comparison loops.
     */
    static int lessThan(int x, int y) {
        int d = x - y;
        return (d ^ ((x ^ y) & (d ^ x))) >>> 31;
    }

    /** Unsigned {@code x < y} as 0 or 1, branch-free (Hacker's Delight 2-12). */
    static int unsignedLessThan(int x, int y) {
        return ((~x & y) | (~(x ^ y) & (x - y))) >>> 31;
    }

    static int div(int x, int y) {
        return y == 0 ? 0 : x / y;
    }

    static int rem(int x, int y) {
        return y == 0 ? x : x % y;
    }

    static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    static int fbits(float value) {
        return Float.floatToRawIntBits(value);
    }
}
