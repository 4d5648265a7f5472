/**
 * The simulated AGX silicon as the driver and the firmware see it: MMIO registers, the reserved
 * memory regions the bootloader hands over, the UAT (the GPU's MMU) and the execution units.
 * A core bundle creates one {@link kiln.agx.api.silicon.Silicon} per device through
 * {@link kiln.agx.api.core.GpuCore#powerOn}; nothing outside this package names its
 * implementation.
 *
 * <h2>Memory</h2>
 * The silicon has no memory of its own: it reaches the machine's
 * {@link kiln.drm.api.memory.PhysicalMemory} by physical address, only through UAT translations
 * whose page tables live in that memory. Everything the GPU or its firmware touches is therefore
 * something the driver mapped; an access anywhere else faults (see {@link kiln.agx.api.silicon.Uat}).
 *
 * <h2>Lifetime and threads</h2>
 * A silicon lives from {@code powerOn} to {@link kiln.agx.api.silicon.Silicon#close()}; closing
 * cancels running work (it completes as {@link kiln.agx.api.silicon.DispatchResult.Status#CANCELLED})
 * and stops its worker threads. Every method is thread-safe. Execution units run work on a
 * bounded pool of host threads owned by the silicon; results never depend on how many there are.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package kiln.agx.api.silicon;
