package kiln.agx.api.uapi;

/**
 * Constants of the RFC asahi UAPI ({@code asahi_drm.h}, patch 15) and the driver's limits
 * ({@code file.rs}), with their real values.
 */
public final class AsahiUapi {
    /** {@code DRM_ASAHI_UNSTABLE_UABI_VERSION}. */
    public static final int UNSTABLE_UABI_VERSION = 10006;
    /** {@code DRM_ASAHI_MAX_CLUSTERS}. */
    public static final int MAX_CLUSTERS = 32;

    /** Driver limits. */
    public static final int MAX_SYNCS_PER_SUBMISSION = 64, MAX_COMMANDS_PER_SUBMISSION = 64, MAX_COMMANDS_IN_FLIGHT = 1024,
            MAX_ATTACHMENTS = 16;

    /** {@code drm_asahi_feat_incompat}. */
    public static final long FEAT_MANDATORY_ZS_COMPRESSION = 1L << 0;

    /** GEM_CREATE flags. */
    public static final int GEM_WRITEBACK = 1 << 0, GEM_VM_PRIVATE = 1 << 1;

    /** GEM_BIND ops and flags. */
    public static final int BIND_OP_BIND = 0, BIND_OP_UNBIND = 1, BIND_OP_UNBIND_ALL = 2;
    public static final int BIND_READ = 1 << 0, BIND_WRITE = 1 << 1;

    /** Command types and queue capabilities. */
    public static final int CMD_RENDER = 0, CMD_BLIT = 1, CMD_COMPUTE = 2;
    public static final int QUEUE_CAP_RENDER = 1 << 0, QUEUE_CAP_BLIT = 1 << 1, QUEUE_CAP_COMPUTE = 1 << 2;
    /** Highest queue priority value (0 is the highest priority). */
    public static final int MAX_PRIORITY = 3;

    /** Sync types. */
    public static final int SYNC_SYNCOBJ = 0, SYNC_TIMELINE_SYNCOBJ = 1;

    /** Subqueues a barrier index refers to, and "no barrier". */
    public static final int SUBQUEUE_RENDER = 0, SUBQUEUE_COMPUTE = 1, SUBQUEUE_COUNT = 2;
    public static final int BARRIER_NONE = ~0;

    /** Attachment types. */
    public static final int ATTACHMENT_C = 0, ATTACHMENT_Z = 1, ATTACHMENT_S = 2;

    /** Render flags. */
    public static final long RENDER_NO_CLEAR_PIPELINE_TEXTURES = 1L << 0, RENDER_SET_WHEN_RELOADING_Z_OR_S = 1L << 1,
            RENDER_MEMORYLESS_RTS_USED = 1L << 2, RENDER_PROCESS_EMPTY_TILES = 1L << 3,
            RENDER_NO_VERTEX_CLUSTERING = 1L << 4;
    /** Every defined render flag. */
    public static final long RENDER_FLAGS = (1L << 5) - 1;

    /** {@code drm_asahi_status}. */
    public static final int STATUS_PENDING = 0, STATUS_COMPLETE = 1, STATUS_UNKNOWN_ERROR = 2, STATUS_TIMEOUT = 3,
            STATUS_FAULT = 4, STATUS_KILLED = 5, STATUS_NO_DEVICE = 6;
    /** {@code drm_asahi_fault}. */
    public static final int FAULT_NONE = 0, FAULT_UNKNOWN = 1, FAULT_UNMAPPED = 2, FAULT_AF_FAULT = 3, FAULT_WRITE_ONLY = 4,
            FAULT_READ_ONLY = 5, FAULT_NO_ACCESS = 6;
    /** Render result flags. */
    public static final long RESULT_RENDER_TVB_GROW_OVF = 1L << 0, RESULT_RENDER_TVB_GROW_MIN = 1L << 1,
            RESULT_RENDER_TVB_OVERFLOWED = 1L << 2;

    /** VA windows and page size as GET_PARAMS reports them. */
    public static final int VM_PAGE_SIZE = 16384;
    public static final long VM_USER_START = 0x20_0000_0000L, VM_USER_END = 0x5f_ffff_ffffL;
    public static final long VM_SHADER_START = 0x11_0000_0000L, VM_SHADER_END = 0x11_ffff_ffffL;
    /** Binds must end below this. */
    public static final long VM_BIND_LIMIT = 0x60_0000_0000L;

    /** Render framebuffer edge limits and tiling limits. */
    public static final int MAX_FB_PIXELS = 16384, MAX_LAYERS = 2048;

    private AsahiUapi() {
    }
}
