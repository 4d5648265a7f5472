package kiln.agx.firmware.internal;

import static kiln.agx.api.firmware.AbiType.*;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;

/**
 * Every field the firmware reads or writes, resolved once from the bound ABI so the main loop
 * never looks a name up.
 */
final class Fields {
    final FirmwareAbi abi;
    // handoff
    final AbiField hoMagicFw, hoFlush, flushState;
    // init data and runtime pointers
    final AbiField idRuntimePointers, idGlobals, idFwStatus;
    final AbiField rpPipes, rpDeviceControl, rpEvent, rpFwLog, rpStats;
    final AbiField pcVtx, pcFrag, pcComp;
    final AbiField ringState, ringRing, ringEntries, csRead, csWrite;
    final AbiField glHangTimeout, glPendingStamps, psInfo, psWaitValue;
    final AbiField qiGpuContext;
    final AbiField fsFwctl, fsHaltCount, fsHalted, fsResume;
    final AbiField statsTotal, statsBusy, statsFaults;
    // messages
    final AbiField rwqPipe, rwqQueue, rwqWptr, rwqSlot, rwqNew;
    final AbiField dcType, dcdcToken, dcdcContext;
    final AbiField evType, evFiring, evtoCounter, evtoSlot;
    final AbiField fcSlot;
    final AbiField logType, logSeq, logTime, logText;
    final AbiField stType, stBusy, stCompleted;
    // work queues
    final AbiField qiState, qiRing, qiPriority, qiBusy, rsDone, rsRptr, rsWptr, rsSize;
    final AbiField stampValue;
    final AbiField barWaitStamp, barWaitValue;
    // commands
    final AbiField cmdTag;
    final RunFields compute, vertex, fragment;
    final AbiField metaStamp, metaStampValue, metaStampSlot;
    final AbiField jp2EncoderEnd;
    final AbiField jpcEncoder;
    final AbiField jpvEncoder, jpvWidth, jpvHeight, jpvTilemap, jpvFragmentParams;
    final AbiField jpfWidth, jpfHeight, jpfTilemap, jpfZls, jpfDepth, jpfDepthStride, jpfDepthClear, jpfColor,
            jpfColorStride, jpfColorCtrl, jpfColorClear, jpfProgram, jpfUniforms, jpfUniformCount;
    final AbiField bmHeapBase, bmBlockCount, bmBlockSize, bmUsed, bmOverflows, bmPartials;
    final AbiField ibBuffer, ibBlockCount;
    // microsequence
    final AbiField opCode, waitArg, tsArg, tsUpdate;
    final AbiField scVmSlot, svVmSlot, sfVmSlot;
    final AbiField scJobParams1, scJobParams2, svJobParams1, svJobParams2, svBuffer, sfJobParams1, sfJobParams2, sfBuffer;
    final AbiField fcFwStamp, fcStampValue, fvFwStamp, fvStampValue, ffFwStamp, ffStampValue;
    final long runWorkQueueMsgBytes, deviceControlMsgBytes, eventMsgBytes, fwLogMsgBytes, statsMsgBytes, fwCtlMsgBytes;

    Fields(FirmwareAbi abi) {
        this.abi = abi;
        hoMagicFw = f(HANDOFF, "magic_fw");
        hoFlush = f(HANDOFF, "flush");
        flushState = f(FLUSH_INFO, "state");
        idRuntimePointers = f(INIT_DATA, "runtime_pointers");
        idGlobals = f(INIT_DATA, "globals");
        idFwStatus = f(INIT_DATA, "fw_status");
        rpPipes = f(RUNTIME_POINTERS, "pipes");
        rpDeviceControl = f(RUNTIME_POINTERS, "device_control");
        rpEvent = f(RUNTIME_POINTERS, "event");
        rpFwLog = f(RUNTIME_POINTERS, "fw_log");
        rpStats = f(RUNTIME_POINTERS, "stats");
        pcVtx = f(PIPE_CHANNELS, "vtx");
        pcFrag = f(PIPE_CHANNELS, "frag");
        pcComp = f(PIPE_CHANNELS, "comp");
        ringState = f(CHANNEL_RING, "state");
        ringRing = f(CHANNEL_RING, "ring");
        ringEntries = f(CHANNEL_RING, "entries");
        csRead = f(CHANNEL_STATE, "read_ptr");
        csWrite = f(CHANNEL_STATE, "write_ptr");
        glHangTimeout = f(GLOBALS, "hang_timeout_ms");
        glPendingStamps = f(GLOBALS, "pending_stamps");
        psInfo = f(PENDING_STAMP, "info");
        psWaitValue = f(PENDING_STAMP, "wait_value");
        qiGpuContext = f(QUEUE_INFO, "gpu_context");
        fsFwctl = f(FW_STATUS, "fwctl_channel");
        fsHaltCount = f(FW_STATUS, "halt_count");
        fsHalted = f(FW_STATUS, "halted");
        fsResume = f(FW_STATUS, "resume");
        statsTotal = f(GPU_GLOBAL_STATS, "total_cmds");
        statsBusy = f(GPU_GLOBAL_STATS, "busy_ticks");
        statsFaults = f(GPU_GLOBAL_STATS, "faults");
        rwqPipe = f(RUN_WORK_QUEUE_MSG, "pipe_type");
        rwqQueue = f(RUN_WORK_QUEUE_MSG, "work_queue");
        rwqWptr = f(RUN_WORK_QUEUE_MSG, "wptr");
        rwqSlot = f(RUN_WORK_QUEUE_MSG, "event_slot");
        rwqNew = f(RUN_WORK_QUEUE_MSG, "is_new");
        dcType = f(DEVICE_CONTROL_MSG, "msg_type");
        dcdcToken = f(DEVICE_CONTROL_DESTROY_CONTEXT, "token");
        dcdcContext = f(DEVICE_CONTROL_DESTROY_CONTEXT, "gpu_context");
        evType = f(EVENT_MSG, "msg_type");
        evFiring = f(EVENT_MSG, "firing");
        evtoCounter = f(EVENT_MSG_TIMEOUT, "counter");
        evtoSlot = f(EVENT_MSG_TIMEOUT, "event_slot");
        fcSlot = f(FW_CTL_MSG, "slot");
        logType = f(FW_LOG_MSG, "msg_type");
        logSeq = f(FW_LOG_MSG, "seq_no");
        logTime = f(FW_LOG_MSG, "timestamp");
        logText = f(FW_LOG_MSG, "msg");
        stType = f(STATS_MSG, "msg_type");
        stBusy = f(STATS_MSG, "busy_permille");
        stCompleted = f(STATS_MSG, "completed");
        qiState = f(QUEUE_INFO, "state");
        qiRing = f(QUEUE_INFO, "ring");
        qiPriority = f(QUEUE_INFO, "priority");
        qiBusy = f(QUEUE_INFO, "busy");
        rsDone = f(RING_STATE, "gpu_doneptr");
        rsRptr = f(RING_STATE, "gpu_rptr");
        rsWptr = f(RING_STATE, "cpu_wptr");
        rsSize = f(RING_STATE, "rb_size");
        stampValue = f(STAMP, "value");
        barWaitStamp = f(BARRIER, "wait_stamp");
        barWaitValue = f(BARRIER, "wait_value");
        // every run command has these at the same names; offsets can differ per type, so they are per type below
        cmdTag = f(RUN_COMPUTE, "tag");
        compute = new RunFields(RUN_COMPUTE);
        vertex = new RunFields(RUN_VERTEX);
        fragment = new RunFields(RUN_FRAGMENT);
        metaStamp = f(JOB_META, "stamp");
        metaStampValue = f(JOB_META, "stamp_value");
        metaStampSlot = f(JOB_META, "stamp_slot");
        jp2EncoderEnd = f(JOB_PARAMETERS_2, "encoder_end");
        jpcEncoder = f(JOB_PARAMETERS_1_COMPUTE, "encoder");
        jpvEncoder = f(JOB_PARAMETERS_1_VERTEX, "encoder");
        jpvWidth = f(JOB_PARAMETERS_1_VERTEX, "fb_width");
        jpvHeight = f(JOB_PARAMETERS_1_VERTEX, "fb_height");
        jpvTilemap = f(JOB_PARAMETERS_1_VERTEX, "tvb_tilemap");
        jpvFragmentParams = f(JOB_PARAMETERS_1_VERTEX, "fragment_job_params");
        jpfWidth = f(JOB_PARAMETERS_1_FRAGMENT, "fb_width");
        jpfHeight = f(JOB_PARAMETERS_1_FRAGMENT, "fb_height");
        jpfTilemap = f(JOB_PARAMETERS_1_FRAGMENT, "tvb_tilemap");
        jpfZls = f(JOB_PARAMETERS_1_FRAGMENT, "zls_ctrl");
        jpfDepth = f(JOB_PARAMETERS_1_FRAGMENT, "depth_buffer_ptr1");
        jpfDepthStride = f(JOB_PARAMETERS_1_FRAGMENT, "depth_stride");
        jpfDepthClear = f(JOB_PARAMETERS_1_FRAGMENT, "depth_clear_value");
        jpfColor = f(JOB_PARAMETERS_1_FRAGMENT, "color_buffer");
        jpfColorStride = f(JOB_PARAMETERS_1_FRAGMENT, "color_stride");
        jpfColorCtrl = f(JOB_PARAMETERS_1_FRAGMENT, "color_ctrl");
        jpfColorClear = f(JOB_PARAMETERS_1_FRAGMENT, "color_clear");
        jpfProgram = f(JOB_PARAMETERS_1_FRAGMENT, "fragment_program");
        jpfUniforms = f(JOB_PARAMETERS_1_FRAGMENT, "fragment_uniforms");
        jpfUniformCount = f(JOB_PARAMETERS_1_FRAGMENT, "fragment_uniform_count");
        bmHeapBase = f(BUFFER_MGR_INFO, "heap_base");
        bmBlockCount = f(BUFFER_MGR_INFO, "block_count");
        bmBlockSize = f(BUFFER_MGR_INFO, "block_size");
        bmUsed = f(BUFFER_MGR_INFO, "used_bytes");
        bmOverflows = f(BUFFER_MGR_INFO, "overflows");
        bmPartials = f(BUFFER_MGR_INFO, "partial_renders");
        ibBuffer = f(INIT_BUFFER, "buffer");
        ibBlockCount = f(INIT_BUFFER, "block_count");
        opCode = f(MS_WAIT_FOR_IDLE, "op");
        waitArg = f(MS_WAIT_FOR_IDLE, "arg");
        tsArg = f(MS_TIMESTAMP, "arg");
        tsUpdate = f(MS_TIMESTAMP, "update_ts");
        scVmSlot = f(MS_START_COMPUTE, "vm_slot");
        svVmSlot = f(MS_START_VERTEX, "vm_slot");
        sfVmSlot = f(MS_START_FRAGMENT, "vm_slot");
        scJobParams1 = f(MS_START_COMPUTE, "job_params1");
        scJobParams2 = f(MS_START_COMPUTE, "job_params2");
        svJobParams1 = f(MS_START_VERTEX, "job_params1");
        svJobParams2 = f(MS_START_VERTEX, "job_params2");
        svBuffer = f(MS_START_VERTEX, "buffer");
        sfJobParams1 = f(MS_START_FRAGMENT, "job_params1");
        sfJobParams2 = f(MS_START_FRAGMENT, "job_params2");
        sfBuffer = f(MS_START_FRAGMENT, "buffer");
        fcFwStamp = f(MS_FINALIZE_COMPUTE, "fw_stamp");
        fcStampValue = f(MS_FINALIZE_COMPUTE, "stamp_value");
        fvFwStamp = f(MS_FINALIZE_VERTEX, "fw_stamp");
        fvStampValue = f(MS_FINALIZE_VERTEX, "stamp_value");
        ffFwStamp = f(MS_FINALIZE_FRAGMENT, "fw_stamp");
        ffStampValue = f(MS_FINALIZE_FRAGMENT, "stamp_value");
        runWorkQueueMsgBytes = abi.sizeOf(RUN_WORK_QUEUE_MSG);
        deviceControlMsgBytes = abi.sizeOf(DEVICE_CONTROL_MSG);
        eventMsgBytes = abi.sizeOf(EVENT_MSG);
        fwLogMsgBytes = abi.sizeOf(FW_LOG_MSG);
        statsMsgBytes = abi.sizeOf(STATS_MSG);
        fwCtlMsgBytes = abi.sizeOf(FW_CTL_MSG);
    }

    /** The fields every run command has, at offsets of its own. */
    final class RunFields {
        final AbiField vmSlot, microsequence, microsequenceSize, stats, jobMeta;

        private RunFields(AbiType command) {
            vmSlot = f(command, "vm_slot");
            microsequence = f(command, "microsequence");
            microsequenceSize = f(command, "microsequence_size");
            stats = f(command, "stats");
            jobMeta = f(command, "job_meta");
        }
    }

    private AbiField f(AbiType type, String name) {
        AbiField field = abi.field(type, name);
        if (!field.present()) {
            throw new IllegalStateException(abi + " lacks " + type + "." + name + ", which the firmware needs");
        }
        return field;
    }
}
