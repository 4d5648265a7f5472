package kiln.agx.api.firmware;

/**
 * Microsequence operations: the opcode in the first word of each op, as {@code fw/microseq.rs}
 * numbers them, and the structure that follows it. A microsequence is ops back to back; the
 * firmware interprets it from the start until {@link #RETIRE_STAMP}.
 */
public enum MicroOp {
    WAIT_FOR_IDLE(0x01, AbiType.MS_WAIT_FOR_IDLE),
    RETIRE_STAMP(0x18, AbiType.MS_RETIRE_STAMP),
    TIMESTAMP(0x19, AbiType.MS_TIMESTAMP),
    START_VERTEX(0x22, AbiType.MS_START_VERTEX),
    FINALIZE_VERTEX(0x23, AbiType.MS_FINALIZE_VERTEX),
    START_FRAGMENT(0x24, AbiType.MS_START_FRAGMENT),
    FINALIZE_FRAGMENT(0x25, AbiType.MS_FINALIZE_FRAGMENT),
    START_COMPUTE(0x29, AbiType.MS_START_COMPUTE),
    FINALIZE_COMPUTE(0x2a, AbiType.MS_FINALIZE_COMPUTE);

    /** {@code WaitForIdle} argument bits per pipe ({@code Pipe::Vertex/Fragment/Compute}). */
    public static final int PIPE_VERTEX = 1, PIPE_FRAGMENT = 1 << 8, PIPE_COMPUTE = 1 << 15;
    /** {@code Timestamp} argument bit: this is the start time (else the end). */
    public static final int TIMESTAMP_START = 1 << 31;
    /** {@code RetireStamp}'s argument as the driver writes it. */
    public static final int RETIRE_STAMP_ARG = 0x4000_0000;

    private final int opcode;
    private final AbiType layout;

    MicroOp(int opcode, AbiType layout) {
        this.opcode = opcode;
        this.layout = layout;
    }

    public int opcode() {
        return opcode;
    }

    /** The op's structure; its first field, {@code op}, holds the opcode. */
    public AbiType layout() {
        return layout;
    }

    private static final MicroOp[] BY_OPCODE = new MicroOp[0x40];

    static {
        for (MicroOp op : values()) {
            BY_OPCODE[op.opcode] = op;
        }
    }

    /** The op with this opcode, or {@code null}. */
    public static MicroOp ofOpcode(long opcode) {
        return opcode >= 0 && opcode < BY_OPCODE.length ? BY_OPCODE[(int) opcode] : null;
    }
}
