package kiln.agx.api.firmware;

/**
 * The firmware-visible structures, named as the real driver names them ({@code fw/*.rs}).
 * Which fields each has, at which offsets, is the {@link FirmwareAbi} of one (generation,
 * firmware); the runtime behaviour of each is documented with the firmware runtime.
 */
public enum AbiType {
    // --- boot and globals (initdata.rs)
    /** The handoff region shared with the firmware before any UAT context exists (magics, flush slots). */
    HANDOFF,
    /** One of the handoff's 65 cache-flush request slots. */
    FLUSH_INFO,
    /** The root structure whose address {@code MSG_INIT} carries. */
    INIT_DATA,
    /** Pointers to every channel ring and the firmware's runtime data. */
    RUNTIME_POINTERS,
    /** The vertex, fragment and compute pipe channels of one priority. */
    PIPE_CHANNELS,
    /** A channel ring as InitData points to it: its state, its entries and their count. */
    CHANNEL_RING,
    /** A channel's read and write indices. */
    CHANNEL_STATE,
    /** Driver-firmware shared globals (pending submissions, fault control, pending stamps). */
    GLOBALS,
    /** One entry of {@code Globals.pending_stamps}. */
    PENDING_STAMP,
    /** Power-management configuration. */
    HW_DATA_A,
    /** The 13.0b4+ extension of {@link #HW_DATA_A} ({@code HwDataA130Extra}). */
    HW_DATA_A_130_EXTRA,
    /** One power zone of {@link #HW_DATA_A}. */
    POWER_ZONE,
    /** GPU configuration: ids, core counts, performance states. */
    HW_DATA_B,
    /** The firmware-control channel and the halt/resume flags used for recovery. */
    FW_STATUS,
    /** Per-pipe statistics the firmware keeps ({@code GpuGlobalStats}). */
    GPU_GLOBAL_STATS,

    // --- channel messages (channels.rs)
    /** Pipe channel message: a work queue has new commands. */
    RUN_WORK_QUEUE_MSG,
    /** Device-control message header; the payload depends on the message type. */
    DEVICE_CONTROL_MSG,
    /** {@code DeviceControlMsg::DestroyContext}. */
    DEVICE_CONTROL_DESTROY_CONTEXT,
    /** Event channel message; {@code Flag} carries the 128-bit firing bitmap. */
    EVENT_MSG,
    /** {@code EventMsg::Timeout}. */
    EVENT_MSG_TIMEOUT,
    /** Firmware-control channel message: flush a range from the firmware cache. */
    FW_CTL_MSG,
    /** Firmware log channel message. */
    FW_LOG_MSG,
    /** Statistics channel message. */
    STATS_MSG,

    // --- work queues (workqueue.rs)
    /** A work queue's descriptor. */
    QUEUE_INFO,
    /** A work queue's ring pointers. */
    RING_STATE,
    /** The firmware context data a queue's commands run in (0x40 bytes). */
    GPU_CONTEXT_DATA,
    /** A queue's notifier list head. */
    NOTIFIER_LIST,
    /** A queue's notifier. */
    NOTIFIER,
    /** A driver-visible event stamp. */
    STAMP,
    /** The firmware-private side of an event stamp. */
    FW_STAMP,
    /** Work queue command: wait for another queue's stamp. */
    BARRIER,

    // --- commands (compute.rs, vertex.rs, fragment.rs, buffer.rs)
    /** Completion bookkeeping embedded in every run command. */
    JOB_META,
    /** Work queue command: run a compute job. */
    RUN_COMPUTE,
    /** Compute job parameters. */
    JOB_PARAMETERS_1_COMPUTE,
    /** Parameters shared by the three job kinds ({@code encoder_end}). */
    JOB_PARAMETERS_2,
    /** Work queue command: run the vertex (tiling) half of a render. */
    RUN_VERTEX,
    /** Vertex job parameters. */
    JOB_PARAMETERS_1_VERTEX,
    /** Work queue command: run the fragment half of a render. */
    RUN_FRAGMENT,
    /** Fragment job parameters. */
    JOB_PARAMETERS_1_FRAGMENT,
    /** Work queue command: (re)initialise a buffer-manager slot for a TVB heap. */
    INIT_BUFFER,
    /** Buffer-manager state of one TVB heap. */
    BUFFER_MGR_INFO,
    /** One entry of the buffer-manager control table. */
    BUFFER_MGR_CTL,
    /** Start and end timestamps a job writes. */
    TIMESTAMPS,

    // --- microsequence ops (fw/microseq.rs)
    /** {@code WaitForIdle}: wait until a pipe has finished. */
    MS_WAIT_FOR_IDLE,
    /** {@code RetireStamp}: the end of a microsequence. */
    MS_RETIRE_STAMP,
    /** {@code Timestamp}: record the GPU time. */
    MS_TIMESTAMP,
    /** {@code StartVertex}. */
    MS_START_VERTEX,
    /** {@code FinalizeVertex}. */
    MS_FINALIZE_VERTEX,
    /** {@code StartFragment}. */
    MS_START_FRAGMENT,
    /** {@code FinalizeFragment}. */
    MS_FINALIZE_FRAGMENT,
    /** {@code StartCompute}. */
    MS_START_COMPUTE,
    /** {@code FinalizeCompute}. */
    MS_FINALIZE_COMPUTE,
    /** A buffer a Start op tells the firmware the job touches. */
    ATTACHMENT
}
