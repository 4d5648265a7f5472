package kiln.runtime.support.shell;

/**
 * A line a bundle adds to the runtime's start-up report: register any service with
 * {@link #PROPERTY} set to the text (e.g. where the bundle listens). Lines are printed in service
 * ranking order, below the bundle summary.
 */
public final class StartupLine {
    /** Service property holding the line's text. */
    public static final String PROPERTY = "kiln.startup.line";

    private StartupLine() {
    }
}
