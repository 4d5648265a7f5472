package kiln.agx.client.ksa;

/** A source line the assembler cannot turn into an instruction; says which line and why. */
public final class AssemblyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    public AssemblyException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** The 1-based source line. */
    public int line() {
        return line;
    }
}
