package kiln.drm.impl.fence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;

/** A fence context: one {@link Timeline} and a lock-free seqno counter. */
final class Context implements FenceContext {
    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Context.class, "next", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Timeline timeline;
    @SuppressWarnings("unused") // accessed through NEXT
    private volatile long next;

    Context(Timeline timeline) {
        this.timeline = timeline;
    }

    @Override
    public long id() {
        return timeline.id();
    }

    @Override
    public String driverName() {
        return timeline.driverName();
    }

    @Override
    public String timelineName() {
        return timeline.timelineName();
    }

    @Override
    public SignalableFence next() {
        return new Fence(timeline, (long) NEXT.getAndAdd(this, 1L));
    }

    @Override
    public long nextSeqno() {
        return next;
    }

    @Override
    public String toString() {
        return "fence context " + timeline.id() + " (" + timeline.driverName() + ":" + timeline.timelineName() + ")";
    }
}
