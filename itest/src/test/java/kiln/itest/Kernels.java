package kiln.itest;

/** KSA programs the integration tests run. */
final class Kernels {
    private Kernels() {
    }

    /** {@code u1[i] = u0[i]^2 + 7} for each thread i. */
    static final String SQUARE_PLUS = """
            sr r0, gid.x
            ld r1, u0, r0
            imul r1, r1, r1
            iadd r1, r1, #7
            st r1, u1, r0
            stop
            """;

    /** What {@link #SPIN} stores when its loop is over. */
    static final int SPIN_DONE = 4242;

    /** One thread counting {@code u0[0]} down to zero, then storing {@link #SPIN_DONE} at {@code u1[0]}: a job of chosen length. */
    static final String SPIN = """
            movi r0, #0
            ld r1, u0, r0
            loop
            isub r1, r1, #1
            ile r2, r1, #0
            break r2
            endloop
            movi r3, #4242
            st r3, u1, r0
            stop
            """;

    /** {@code u0[i] += 1} for each thread i: run twice, it counts twice. */
    static final String INCREMENT = """
            sr r0, gid.x
            ld r1, u0, r0
            iadd r1, r1, #1
            st r1, u0, r0
            stop
            """;
}
