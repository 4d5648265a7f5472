/**
 * The GPU core SPI: core bundles ({@code agx.g13}, {@code agx.g14}) register one
 * {@link kiln.agx.api.core.GpuCore} service per chip; the driver discovers them at run time.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("3.0.0")
package kiln.agx.api.core;
