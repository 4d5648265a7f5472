package kiln.agx.firmware.internal;

import kiln.agx.api.firmware.PipeType;

/**
 * The firmware's view of one work queue: the descriptor it was told about, the ring of command
 * pointers, the read index it owns, the write index and event slot of the latest
 * {@code RunWorkQueueMsg}, and the command in progress.
 */
final class WorkQueue {
    final long info;
    final PipeType pipe;
    final int priority;
    final long ringState;
    final long ring;
    final int size;
    final long gpuContext;
    int rptr;
    int wptr;
    int eventSlot;
    CommandRun current;

    WorkQueue(long info, PipeType pipe, int priority, long ringState, long ring, int size, int rptr, long gpuContext) {
        this.info = info;
        this.pipe = pipe;
        this.priority = priority;
        this.ringState = ringState;
        this.ring = ring;
        this.size = size;
        this.rptr = rptr;
        this.gpuContext = gpuContext;
    }

    boolean idle() {
        return current == null && rptr == wptr;
    }
}
