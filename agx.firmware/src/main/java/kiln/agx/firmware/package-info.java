/**
 * The firmware runtime the firmware bundles share: the firmware ABI defined once with its
 * per-version conditions ({@link kiln.agx.firmware.AbiCatalog}), the firmware program
 * ({@link kiln.agx.firmware.FirmwareRuntime}) and the base of a bundle's Firmware service
 * ({@link kiln.agx.firmware.FirmwareBundle}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.agx.firmware;
