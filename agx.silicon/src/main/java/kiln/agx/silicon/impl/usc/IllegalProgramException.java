package kiln.agx.silicon.impl.usc;

/** The program is not legal KSA, or a thread did something KSA forbids (a misaligned access). */
public final class IllegalProgramException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IllegalProgramException(String message) {
        super(message, null, false, false);
    }
}
