package kiln.agx.api.silicon;

/** Who makes an access: the permissions of a page entry differ for each. */
public enum UatAgent {
    /** The ASC coprocessor running the firmware. */
    FIRMWARE,
    /** The GPU's execution units. */
    GPU
}
