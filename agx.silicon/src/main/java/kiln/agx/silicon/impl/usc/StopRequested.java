package kiln.agx.silicon.impl.usc;

/** Thrown out of a running SIMD group when its dispatch must stop (cancelled, or failed elsewhere). */
public final class StopRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final StopRequested INSTANCE = new StopRequested();

    private StopRequested() {
        super("stop requested", null, false, false);
    }
}
