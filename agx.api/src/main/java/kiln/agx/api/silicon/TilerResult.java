package kiln.agx.api.silicon;

/**
 * How a tiler job ended.
 *
 * @param result          status and timestamps ({@code COMPLETED} also when the heap filled up)
 * @param nextTriangle    the first triangle not binned: {@code firstTriangle + triangleCount}
 *                        when everything was binned, else where to resume after a partial render
 * @param heapOverflow    the heap ran out: render what is binned, reset the heap, and resume
 * @param heapBytesUsed   heap bytes in use at the end (the firmware grows the heap from this)
 */
public record TilerResult(DispatchResult result, int nextTriangle, boolean heapOverflow, long heapBytesUsed) {
}
