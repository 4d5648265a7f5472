package kiln.agx.firmware.internal;

/**
 * The firmware's state of one TVB heap (one buffer-manager info structure): where its blocks
 * are mapped, whether a binned scene is waiting for its fragment pass (the heap cannot be
 * reused until then), and whether partial renders already wrote the attachments (the final
 * fragment pass must then load them instead of clearing). Touched by the firmware loop and by
 * one unit-completion thread at a time, handed over through the work's future.
 */
final class BufferState {
    final long info;
    volatile long heapBase;
    volatile long heapBytes;
    volatile long usedBytes;
    volatile int overflows;
    volatile int partialRenders;
    volatile boolean partialOutputPending;
    /** A vertex pass binned into the heap and its fragment pass has not finished. */
    boolean sceneBinned;

    BufferState(long info) {
        this.info = info;
    }
}
