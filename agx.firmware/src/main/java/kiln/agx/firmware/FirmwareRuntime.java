package kiln.agx.firmware;

import java.util.Objects;

import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.silicon.AscContext;
import kiln.agx.api.silicon.AscProgram;

/**
 * The AGX firmware, written once and run in the ABI of whichever firmware bundle supplies it.
 * Each {@link #run} is one boot on one ASC; all state lives in that run, so a restarted ASC
 * starts clean.
 *
 * <h2>Boot</h2>
 * On start the firmware writes {@code PPL_MAGIC} to {@code Handoff.magic_fw} (through its own
 * mapping of the {@code handoff} region, before any UAT context exists). {@code MSG_INIT} on the
 * firmware endpoint carries the InitData VA (kernel context 0): the firmware reads the runtime
 * pointers, globals and firmware status from it and opens the channels. It runs no work until
 * a {@code DeviceControlMsg::Initialize} arrives (driver: queue it, ring {@code DOORBELL_DEVCTRL}).
 * Any fault of the firmware's own accesses, or a malformed structure (bad channel indices,
 * unknown command tag or microsequence op, event slot out of range, a microsequence running off
 * its end), crashes the firmware: the ASC reports on the crashlog endpoint and answers nothing
 * more, as the real firmware does.
 *
 * <h2>Channels and doorbells</h2>
 * {@code MSG_TX_DOORBELL} on the doorbell endpoint with argument {@code pipe_type | priority << 2}
 * drains that pipe channel: each {@code RunWorkQueueMsg} (re)opens the work queue at
 * {@code work_queue} ({@code is_new} re-reads an idle queue's descriptor) and sets its write
 * index and event slot. {@code DOORBELL_DEVCTRL} drains the device-control channel
 * ({@code Initialize}; {@code DestroyContext}, which forgets the context's idle queues and
 * writes 1 to its {@code token}; Kiln's crash and hang injections; Kiln's {@code QUIESCE}, after
 * which no command starts: a command whose unit work was launched runs to its end, as does the
 * fragment pass of a render whose vertex pass binned its scene, while barriers and
 * {@code InitBuffer}s are still processed — a swap's first step). {@code MSG_FWCTL} on the
 * firmware endpoint drains the firmware-control channel: a request for flush slot {@code s}
 * whose handoff state is {@code FLUSH_REQUESTED} invalidates that context's TLB entries (slot 64:
 * all) and answers {@code FLUSH_DONE}. {@code MSG_HALT} stops the firmware (the ASC halts).
 * The firmware writes the event, log and statistics channels and rings the AP with
 * {@code MSG_RX_DOORBELL}.
 *
 * <h2>Work queues</h2>
 * Queues run in priority order (0 first), each strictly in ring order, one command at a time;
 * different queues run concurrently on the units. The firmware owns {@code gpu_rptr} and
 * {@code gpu_doneptr}, advancing both as each command completes. A {@code Barrier} waits until
 * the 32-bit stamp at {@code wait_stamp} has reached {@code wait_value} (wraparound-safe), and
 * holds its queue until then. {@code InitBuffer} sets a TVB heap's block count. Run commands
 * interpret their microsequence: {@code Start*} launches unit work (compute launches of the
 * encoder in order; vertex draws binned into the buffer's heap; the fragment pass),
 * {@code Timestamp} writes the GPU time to {@code update_ts}, {@code WaitForIdle} waits for the
 * unit work, {@code Finalize*} writes {@code stamp_value} to the op's {@code fw_stamp},
 * {@code RetireStamp} writes the command's {@code job_meta.stamp_value} to its {@code stamp},
 * flags {@code stamp_slot} and ends the command. Flags are sent as one {@code EventMsg::Flag}
 * (128-bit bitmap) per turn of the loop. From the launch of a run command's unit work (its
 * {@code Start*} op: the command has started) until it retires,
 * {@code Globals.pending_stamps[stamp_slot]} holds {@code info = slot << 3 | 1} and the value it
 * will write (indexing by slot is Kiln's). Each time the
 * GPU goes idle after work, a statistics sample ({@code busy_permille} since the previous one,
 * commands {@code completed} so far) goes on the statistics channel; log lines (boot, errors,
 * halt and resume) go on the log channel, each with a doorbell. Both are lossy when the driver does
 * not drain them.
 *
 * <h2>Render</h2>
 * A vertex pass bins every draw into its buffer's heap ({@code heap_base}, {@code block_count *
 * block_size} bytes). When the heap fills, the firmware renders what is binned into the
 * attachments of the paired fragment job ({@code fragment_job_params}), storing them, empties the
 * heap and resumes binning: a partial render. The fragment pass then loads the attachments
 * instead of clearing them. A heap holds one scene: the next vertex pass on it waits until the
 * fragment pass of the previous one has finished. {@code used_bytes}, {@code overflows} and
 * {@code partial_renders} of the buffer-manager info report the heap's use to the driver.
 *
 * <h2>Errors</h2>
 * A GPU fault (or work that cannot run: an illegal program, a malformed control stream) stops the
 * command at its {@code WaitForIdle}: the firmware sends pending flags, then an
 * {@code EventMsg::Fault} ({@code FAULT_INFO} holds the fault, if any), increments
 * {@code FwStatus.halt_count}, sets {@code halted} and halts: no new work starts, and work other
 * queues already started keeps running on the units. Unit work running longer than
 * {@code Globals.hang_timeout_ms} (Kiln's; 0 disables the watchdog) is cancelled and reported as
 * {@code EventMsg::Timeout} with the queue's event slot, and the firmware halts the same way.
 * When the driver sets {@code resume}, the firmware clears {@code halted} and {@code resume} and
 * carries on: the failed command runs on to its Finalize and RetireStamp (its stamp advances,
 * the driver having recorded its error), and every other queue continues where it was.
 */
public final class FirmwareRuntime implements AscProgram {
    private final FirmwareAbi abi;
    private final String name;

    /**
     * @param abi  the ABI the firmware reads and writes
     * @param name how the firmware calls itself in its log, e.g. {@code "firmware 13.2 (G14)"}
     */
    public FirmwareRuntime(FirmwareAbi abi, String name) {
        this.abi = Objects.requireNonNull(abi);
        this.name = Objects.requireNonNull(name);
    }

    public FirmwareAbi abi() {
        return abi;
    }

    @Override
    public void run(AscContext context) throws Exception {
        kiln.agx.firmware.internal.Boot.run(abi, context, name);
    }
}
