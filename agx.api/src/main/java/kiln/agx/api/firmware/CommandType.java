package kiln.agx.api.firmware;

/**
 * The tag in the first word of every work queue command ({@code CommandType} in
 * {@code workqueue.rs}); values are the real ones.
 */
public enum CommandType {
    RUN_VERTEX(0, AbiType.RUN_VERTEX),
    RUN_FRAGMENT(1, AbiType.RUN_FRAGMENT),
    RUN_COMPUTE(3, AbiType.RUN_COMPUTE),
    BARRIER(4, AbiType.BARRIER),
    INIT_BUFFER(6, AbiType.INIT_BUFFER);

    private final int tag;
    private final AbiType layout;

    CommandType(int tag, AbiType layout) {
        this.tag = tag;
        this.layout = layout;
    }

    /** The value in the command's {@code tag} field. */
    public int tag() {
        return tag;
    }

    /** The command's structure. */
    public AbiType layout() {
        return layout;
    }

    /** The command with tag {@code tag}, or {@code null} ({@code RunBlitter}, 2, is unused). */
    public static CommandType ofTag(long tag) {
        return tag >= 0 && tag < BY_TAG.length ? BY_TAG[(int) tag] : null;
    }

    private static final CommandType[] BY_TAG = new CommandType[8];

    static {
        for (CommandType c : values()) {
            BY_TAG[c.tag] = c;
        }
    }
}
