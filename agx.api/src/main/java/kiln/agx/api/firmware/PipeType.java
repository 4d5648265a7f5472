package kiln.agx.api.firmware;

/**
 * The three kinds of firmware work queue and pipe channel. The ordinal is the real
 * {@code pipe_type} of {@code RunWorkQueueMsg} and of the doorbell argument
 * ({@code MSG_TX_DOORBELL | pipe_type | priority << 2}).
 */
public enum PipeType {
    VERTEX,
    FRAGMENT,
    COMPUTE;

    /** The doorbell argument for this pipe at {@code priority} (0..3). */
    public int doorbell(int priority) {
        return ordinal() | priority << 2;
    }
}
