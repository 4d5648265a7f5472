package kiln.agx.driver.internal.gpu;

/**
 * The driver's side of a GEM object ({@code gem.rs} {@code DriverObject}): its creation flags and,
 * for a VM-private object, the VM it belongs to (with the file that owns that VM).
 *
 * @param flags      {@code ASAHI_GEM_*} flags
 * @param privateVm  the VM id for {@code ASAHI_GEM_VM_PRIVATE}, else 0
 * @param fileId     the creating file (VM ids are per file)
 */
public record AgxObject(int flags, int privateVm, long fileId) {
}
