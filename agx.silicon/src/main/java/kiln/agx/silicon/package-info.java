/**
 * The simulated AGX silicon, written once and shared by the G13 and G14 core bundles: they
 * call {@link kiln.agx.silicon.SiliconFactory} with their chip's {@link kiln.agx.api.hw.HwConfig}.
 * Everything else reaches the silicon through {@link kiln.agx.api.silicon}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.agx.silicon;
