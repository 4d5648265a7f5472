/**
 * The asahi UAPI from a client's side: {@link kiln.agx.client.drm.AsahiDevice} opens a render
 * node and wraps each ioctl.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.agx.client.drm;
