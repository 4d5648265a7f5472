package kiln.drm.impl.fence;

import java.util.concurrent.atomic.AtomicLong;

/** A context id and the names fences report; shared by every fence of the context. */
record Timeline(long id, String driverName, String timelineName) {
    /** Context ids are unique for the life of the bundle's class loader, like the kernel's. */
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    static Timeline allocate(String driverName, String timelineName) {
        return new Timeline(NEXT_ID.getAndIncrement(), driverName, timelineName);
    }

    /** {@code count} consecutive ids no {@link #allocate} will give; the first. */
    static long allocateIds(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("context count " + count);
        }
        return NEXT_ID.getAndAdd(count);
    }
}
